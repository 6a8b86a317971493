/**
 * A change of an installed NixOS container: extra-container's update of the container
 * definition, with the previous generation pinned so the core's rollback puts back exactly
 * what was installed (see `generations.ts`).
 *
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import { requireContainerSpec, type ContainerSpec } from "../../domain/spec.js";
import type { ChangeOptions } from "../../ports/runtime.js";
import { commandFailure, outputDetail, runHost } from "../../host/commands.js";
import { ENV_MODULE } from "./artifacts.js";
import { ensureEnvFile, renderArtifacts, requireInstalled } from "./backend.js";
import { type NixosContext, readRecord, writeRecord } from "./context.js";
import { EXTRA_CONTAINER, summarizeNixError, updateArgs } from "./extra-container-cli.js";
import { installPinned, installedGeneration, pinFor, pinGeneration, specDigest } from "./generations.js";
import { OutputProgress, safeEmit } from "./progress.js";
import { showContainer } from "./queries.js";

/**
 * Applies a changed spec. `extra-container create <wrapper>` on an installed container builds
 * and installs the new definition, and `--restart-changed` restarts it when it runs; a stopped
 * container takes it at its next start. Before that, the generation installed now is pinned
 * (rooted against garbage collection) for the change from `options.previous` to `spec`.
 *
 * The core rolls back by applying the previous spec again, with the failed spec as
 * `options.previous`: that is exactly the pinned change reversed, so the pinned generation is
 * linked back in without building anything (and started again if it ran). Without a pin (the
 * definition was not two store paths, or nix-store could not root them) the previous spec is
 * rebuilt, as before.
 */
export async function changeContainer(
  context: NixosContext,
  spec: ContainerSpec,
  options: ChangeOptions,
): Promise<void> {
  const name = spec.name;
  await requireInstalled(context, name);
  if (spec.workspace.enabled && options.workspaceHostPath === undefined) {
    throw new HostFailureError(`The workspace of "${name}" was not prepared, so "${name}" was not changed.`);
  }
  const running = (await showContainer(context, name))?.state === "running";
  const artifacts = renderArtifacts(context, spec, options, false);
  const wanted = specDigest(artifacts.specJson);
  const current = specDigest(renderArtifacts(context, requireContainerSpec(options.previous), options, false).specJson);
  if (spec.modules.includes(ENV_MODULE)) await ensureEnvFile(context, name);

  const pin = await pinFor(context, name, wanted, current);
  if (pin !== undefined) {
    safeEmit(options.onProgress, {
      type: "step",
      step: "installing",
      message: `Putting back the previous definition of "${name}" (${pin.conf}).`,
    });
    await installPinned(context, name, pin, options.signal);
  } else {
    const generation = await installedGeneration(context, name);
    if (generation !== undefined)
      await pinGeneration(context, name, generation, { from: current, to: wanted, wasRunning: running });
    await update(context, name, artifacts, running, options);
  }
  await writeRecord(context, {
    name,
    modules: spec.modules,
    createdAt: (await readRecord(context, name))?.createdAt ?? context.deps.clock.now().toISOString(),
  }).catch((error: unknown) => {
    context.logger.warn({ workload: name, error: String(error) }, "container record could not be written");
  });
  safeEmit(options.onProgress, {
    type: "step",
    step: "done",
    message: `The container "${name}" has its new definition.`,
  });
}

async function update(
  context: NixosContext,
  name: string,
  artifacts: { specJson: string; wrapper: string },
  running: boolean,
  options: ChangeOptions,
): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "voxnix-nixos-"));
  safeEmit(options.onProgress, {
    type: "step",
    step: "building",
    message: `Building the new definition of "${name}".`,
  });
  try {
    await writeFile(join(directory, "spec.json"), artifacts.specJson, { mode: 0o600 });
    const wrapperPath = join(directory, "container.nix");
    await writeFile(wrapperPath, artifacts.wrapper, { mode: 0o600 });
    const progress = new OutputProgress(options.onProgress);
    const result = await runHost(context.deps.runner, EXTRA_CONTAINER, updateArgs(wrapperPath, running), {
      action: `Updating the container "${name}"`,
      timeoutMs: context.createTimeoutMs,
      onOutput: progress.onOutput,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    progress.flush();
    if (result.exitCode !== 0) {
      const summary = summarizeNixError(result.stderr) ?? "see the build log for details";
      const error = commandFailure(`Updating the container "${name}"`, result, summary);
      throw new HostFailureError(error.message, outputDetail(result));
    }
  } finally {
    await rm(directory, { recursive: true, force: true }).catch(() => undefined);
  }
}
