/**
 * Lifecycle of NixOS containers over extra-container: plan, create (with rollback), start,
 * stop and destroy (a change is in `change.ts`). Whether a container is installed is always read from its conf file,
 * never guessed from output text; a failed create removes what it installed, or says exactly
 * what it kept.
 *
 * @module
 */
import { chmod, mkdir, mkdtemp, open, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, HostFailureError, NotFoundError, TimeoutError, VoxnixError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { ContainerSpec } from "../../domain/spec.js";
import type { RuntimePlan, HostContext, DestroyReport, ProgressListener } from "../../ports/runtime.js";
import type { CommandResult } from "../../ports/command-runner.js";
import { tailscaleKeyFilePath } from "../../backends/network/tailscale/key-file.js";
import {
  ENV_MODULE,
  TAILSCALE_MODULE,
  buildNixSpec,
  envHostFile,
  renderSpecJson,
  renderWrapper,
  resolveVoxnixSource,
} from "./artifacts.js";
import { type NixosContext, confPath, isInstalled, readRecord, removeRecord, writeRecord } from "./context.js";
import {
  EXTRA_CONTAINER,
  createArgs,
  destroyArgs,
  saysAlreadyExists,
  summarizeNixError,
} from "./extra-container-cli.js";
import { commandFailure, outputDetail, runHost, runHostChecked } from "../../host/commands.js";
import { NIXOS_CONTAINER, runInContainerArgs } from "./machinectl-cli.js";
import { OutputProgress, safeEmit } from "./progress.js";
import { dropPin } from "./generations.js";

type PlanHost = Omit<HostContext, "onProgress" | "signal">;

/** The artifacts of a create: file names inside the temporary directory and their content. */
export interface CreateArtifacts {
  readonly specJson: string;
  readonly wrapper: string;
}

/** Renders spec.json and container.nix for a spec; pure apart from resolving the source path. */
export function renderArtifacts(
  context: NixosContext,
  spec: ContainerSpec,
  host: PlanHost,
  keyFileFallback: boolean,
): CreateArtifacts {
  const { config, stateDir } = context.deps;
  const wantsTailscale = spec.modules.includes(TAILSCALE_MODULE);
  const tailscaleKeyFile =
    host.remoteAccessKeyFile ??
    (wantsTailscale && keyFileFallback ? tailscaleKeyFilePath(stateDir, spec.name) : undefined);
  const nixSpec = buildNixSpec(spec, {
    ownerLabel: host.ownerLabel,
    hostBridge: config.nixos.hostBridge,
    ...(host.workspaceHostPath !== undefined ? { workspaceHostPath: host.workspaceHostPath } : {}),
    ...(tailscaleKeyFile !== undefined ? { tailscaleKeyFile } : {}),
    ...(spec.modules.includes(ENV_MODULE) ? { envHostFile: envHostFile(stateDir, spec.name) } : {}),
  });
  return { specJson: renderSpecJson(nixSpec), wrapper: renderWrapper(resolveVoxnixSource(config.nixos.flakePath)) };
}

/** What create would write and run. Touches nothing. */
export async function planCreate(context: NixosContext, spec: ContainerSpec, host: PlanHost): Promise<RuntimePlan> {
  const artifacts = renderArtifacts(context, spec, concretePlanHost(context, spec, host), true);
  const directory = join(tmpdir(), "voxnix-nixos-XXXXXX");
  const wrapperPath = join(directory, "container.nix");
  return {
    artifacts: [
      { path: join(directory, "spec.json"), content: artifacts.specJson },
      { path: wrapperPath, content: artifacts.wrapper },
    ],
    commands: [[EXTRA_CONTAINER, ...createArgs(wrapperPath)]],
  };
}

// The core's dry run names the workspace where the storage port says it would be, but may name
// the remote-access key file with a placeholder such as "<keys>/dev.key"; Nix refuses that, so
// the plan shows the real key file path (always under the state directory).
function concretePlanHost(context: NixosContext, spec: ContainerSpec, host: PlanHost): PlanHost {
  const usable = (path: string | undefined): boolean => path !== undefined && /^\/[A-Za-z0-9._@+/-]*$/.test(path);
  const { stateDir } = context.deps;
  const remoteAccessKeyFile = usable(host.remoteAccessKeyFile) ? host.remoteAccessKeyFile : undefined;
  return {
    ownerLabel: host.ownerLabel,
    ...(host.workspaceHostPath !== undefined ? { workspaceHostPath: host.workspaceHostPath } : {}),
    ...(remoteAccessKeyFile !== undefined || spec.remoteAccess
      ? { remoteAccessKeyFile: remoteAccessKeyFile ?? tailscaleKeyFilePath(stateDir, spec.name) }
      : {}),
  };
}

/** Builds, installs and starts a container, rolling back an installed-but-failed one. */
export async function createContainer(context: NixosContext, spec: ContainerSpec, host: HostContext): Promise<void> {
  const name = spec.name;
  safeEmit(host.onProgress, { type: "step", step: "preparing", message: `Preparing the container "${name}".` });
  if (await isInstalled(context, name)) {
    throw new ConflictError(
      "name-taken",
      `A container called "${name}" already exists on this host; pick another name.`,
    );
  }
  if (spec.workspace.enabled && host.workspaceHostPath === undefined) {
    throw new HostFailureError(`The workspace of "${name}" was not prepared, so the container was not created.`);
  }
  if (spec.modules.includes(TAILSCALE_MODULE) && host.remoteAccessKeyFile === undefined) {
    throw new HostFailureError(`No Tailscale key file was prepared for "${name}", so the container was not created.`);
  }
  const artifacts = renderArtifacts(context, spec, host, false);
  const createdEnvFile = spec.modules.includes(ENV_MODULE) && (await ensureEnvFile(context, name));

  const directory = await mkdtemp(join(tmpdir(), "voxnix-nixos-"));
  try {
    await writeFile(join(directory, "spec.json"), artifacts.specJson, { mode: 0o600 });
    const wrapperPath = join(directory, "container.nix");
    await writeFile(wrapperPath, artifacts.wrapper, { mode: 0o600 });
    await runCreate(context, spec, host, wrapperPath);
  } catch (error) {
    // The empty env file was made for this create; a failed create keeps nothing.
    if (createdEnvFile) await rm(envHostFile(context.deps.stateDir, name), { force: true });
    throw error;
  } finally {
    await rm(directory, { recursive: true, force: true }).catch((error: unknown) => {
      context.logger.warn({ directory, error: String(error) }, "temporary create directory could not be removed");
    });
  }
  // The record only helps show and destroy find the Tailscale module; losing it must not fail a running container.
  await writeRecord(context, { name, modules: spec.modules, createdAt: context.deps.clock.now().toISOString() }).catch(
    (error: unknown) => {
      context.logger.warn({ workload: name, error: String(error) }, "container record could not be written");
    },
  );
  safeEmit(host.onProgress, { type: "step", step: "done", message: `The container "${name}" is running.` });
}

async function runCreate(
  context: NixosContext,
  spec: ContainerSpec,
  host: HostContext,
  wrapperPath: string,
): Promise<void> {
  const name = spec.name;
  const progress = new OutputProgress(host.onProgress);
  let result: CommandResult;
  try {
    result = await runHost(context.deps.runner, EXTRA_CONTAINER, createArgs(wrapperPath), {
      action: `Creating the container "${name}"`,
      timeoutMs: context.createTimeoutMs,
      onOutput: progress.onOutput,
      ...(host.signal ? { signal: host.signal } : {}),
    });
  } catch (error) {
    progress.flush();
    // The process is gone (timed out, cancelled or never started); only the conf file tells
    // whether it got as far as installing.
    const kept = await rollBackIfInstalled(context, name, host.onProgress);
    throw withOutcome(error, name, kept);
  }
  progress.flush();
  if (host.signal?.aborted) {
    const kept = await rollBackIfInstalled(context, name, host.onProgress);
    throw withOutcome(
      new HostFailureError(`Creating the container "${name}" was cancelled.`, outputDetail(result)),
      name,
      kept,
    );
  }

  const installed = await isInstalled(context, name);
  if (result.exitCode === 0) {
    if (installed) return;
    throw new HostFailureError(
      `extra-container finished but "${name}" was not installed; nothing was kept.`,
      outputDetail(result),
    );
  }
  const output = `${result.stderr}\n${result.stdout}`;
  if (saysAlreadyExists(output)) {
    // Someone else's container may own that name now; never remove it.
    throw new ConflictError(
      "name-taken",
      `A container called "${name}" already exists on this host; pick another name.`,
    );
  }
  if (!installed) {
    const stderr = result.truncated ? progress.tail("stderr") : result.stderr;
    const summary = summarizeNixError(stderr) ?? "see the build log for details";
    const error = commandFailure(`Building the container "${name}"`, result, summary);
    const detail = result.truncated
      ? `${error.detail ?? ""}\n… (output truncated) last part of stderr:\n${progress.tail("stderr")}`
      : error.detail;
    context.logger.warn({ workload: name, summary }, "nixos create: build failed");
    throw new HostFailureError(`${error.message.replace(/\.$/, "")}. Nothing was installed.`, detail);
  }
  const kept = await rollBackIfInstalled(context, name, host.onProgress);
  const what = kept
    ? `it is still installed because removing it failed too; remove it with "extra-container destroy ${name}".`
    : "it was removed again.";
  throw new HostFailureError(
    `The container "${name}" was built and installed but did not start; ${what}`,
    outputDetail(result),
  );
}

// Returns true when something is still installed afterwards.
async function rollBackIfInstalled(
  context: NixosContext,
  name: string,
  onProgress: ProgressListener,
): Promise<boolean> {
  if (!(await isInstalled(context, name))) return false;
  safeEmit(onProgress, { type: "step", step: "removing", message: `Removing the half-created container "${name}".` });
  try {
    await runHostChecked(context.deps.runner, EXTRA_CONTAINER, destroyArgs(name), {
      action: `Removing the half-created container "${name}"`,
      timeoutMs: context.commandTimeoutMs,
    });
  } catch (error) {
    context.logger.error({ workload: name, error: describe(error) }, "nixos create: rollback failed");
    return true;
  }
  return isInstalled(context, name);
}

function withOutcome(error: unknown, name: string, kept: boolean): Error {
  const outcome = kept
    ? `It had been installed and could not be removed; remove it with "extra-container destroy ${name}".`
    : "Nothing was left installed.";
  if (error instanceof TimeoutError)
    return new TimeoutError(`${error.message} ${outcome}`, error.timeoutMs, { cause: error });
  if (error instanceof HostFailureError)
    return new HostFailureError(`${error.message} ${outcome}`, error.detail, { cause: error });
  if (VoxnixError.isInstance(error)) return error;
  return new HostFailureError(`Creating the container "${name}" was interrupted. ${outcome}`, describe(error), {
    cause: error,
  });
}

/**
 * The env module reads secrets from this file; it must exist (empty is fine) before start.
 * Returns true when this call created it.
 */
export async function ensureEnvFile(context: NixosContext, name: string): Promise<boolean> {
  const path = envHostFile(context.deps.stateDir, name);
  await mkdir(join(context.deps.stateDir, "secrets", "env"), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(path, "wx", 0o600);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await chmod(path, 0o600);
    return false;
  }
}

/** Starts an installed container after checking its workspace is there. */
export async function startContainer(context: NixosContext, name: WorkloadName, host: HostContext): Promise<void> {
  await requireInstalled(context, name);
  if (host.workspaceHostPath !== undefined)
    await requireDirectory(join(context.hostRoot, host.workspaceHostPath), host.workspaceHostPath, name);
  safeEmit(host.onProgress, { type: "step", step: "starting", message: `Starting the container "${name}".` });
  await runHostChecked(context.deps.runner, NIXOS_CONTAINER, ["start", name], {
    action: `Starting the container "${name}"`,
    timeoutMs: context.commandTimeoutMs,
    ...(host.signal ? { signal: host.signal } : {}),
  });
  safeEmit(host.onProgress, { type: "step", step: "done", message: `The container "${name}" is running.` });
}

/** Stops a container; stopping a stopped one succeeds. */
export async function stopContainer(
  context: NixosContext,
  name: WorkloadName,
  onProgress: ProgressListener,
): Promise<void> {
  await requireInstalled(context, name);
  safeEmit(onProgress, { type: "step", step: "stopping", message: `Stopping the container "${name}".` });
  await runHostChecked(context.deps.runner, NIXOS_CONTAINER, ["stop", name], {
    action: `Stopping the container "${name}"`,
    timeoutMs: context.commandTimeoutMs,
  });
  safeEmit(onProgress, { type: "step", step: "done", message: `The container "${name}" is stopped.` });
}

/**
 * Destroys a container: a best-effort Tailscale logout first (a failure is a warning), then
 * `extra-container destroy`, then a check that the conf file is gone. Unknown names succeed.
 */
export async function destroyContainer(
  context: NixosContext,
  name: WorkloadName,
  onProgress: ProgressListener,
): Promise<DestroyReport> {
  const warnings: string[] = [];
  const installed = await isInstalled(context, name);
  const record = await readRecord(context, name);
  if (installed && record?.modules.includes(TAILSCALE_MODULE)) {
    const warning = await logOutOfTailscale(context, name);
    if (warning) warnings.push(warning);
  }
  safeEmit(onProgress, { type: "step", step: "removing", message: `Removing the container "${name}".` });
  await runHostChecked(context.deps.runner, EXTRA_CONTAINER, destroyArgs(name), {
    action: `Removing the container "${name}"`,
    timeoutMs: context.commandTimeoutMs,
  });
  if (await isInstalled(context, name)) {
    throw new HostFailureError(
      `extra-container reported success but "${name}" is still installed (${confPath(context, name)} exists).`,
    );
  }
  await removeRecord(context, name);
  await dropPin(context, name);
  // Another user may later create a container with this name; their container must not see these secrets.
  await rm(envHostFile(context.deps.stateDir, name), { force: true });
  safeEmit(onProgress, { type: "step", step: "done", message: `The container "${name}" was removed.` });
  return { warnings };
}

async function logOutOfTailscale(context: NixosContext, name: string): Promise<string | undefined> {
  try {
    await runHostChecked(context.deps.runner, NIXOS_CONTAINER, runInContainerArgs(name, ["tailscale", "logout"]), {
      action: `Logging "${name}" out of Tailscale`,
      timeoutMs: context.logoutTimeoutMs,
    });
    context.logger.info({ workload: name }, "tailscale logout before destroy");
    return undefined;
  } catch (error) {
    context.logger.warn({ workload: name, error: describe(error) }, "tailscale logout before destroy failed");
    return `The Tailscale node of "${name}" could not be logged out (${describe(error)}); if it still shows in the Tailscale admin console, remove it there.`;
  }
}

/** Throws not-found unless the container is installed (its conf file exists). */
export async function requireInstalled(context: NixosContext, name: string): Promise<void> {
  if (!(await isInstalled(context, name)))
    throw new NotFoundError("workload", name, `No container called "${name}" is installed on this host.`);
}

async function requireDirectory(path: string, shown: string, name: string): Promise<void> {
  let directory = false;
  try {
    directory = (await stat(path)).isDirectory();
  } catch {
    directory = false;
  }
  if (!directory)
    throw new HostFailureError(
      `The workspace of "${name}" is not available at ${shown}, so the container was not started.`,
    );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
