/**
 * Host-level work of the nixos backend: `voxnix doctor` checks and pre-building the closures
 * of common module sets (`nixos.images`) so later creates only build their small part.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostFailureError, InvalidInputError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { ContainerSpec, ModuleOptionValue } from "../../domain/spec.js";
import type { DoctorCheck, ImageBuildReport, ProgressListener } from "../../ports/runtime.js";
import { resolveVoxnixSource } from "./artifacts.js";
import { renderArtifacts } from "./backend.js";
import type { NixosContext } from "./context.js";
import { EXTRA_CONTAINER, buildArgs, parseBuildOutput, summarizeNixError } from "./extra-container-cli.js";
import { commandFailure, outputDetail, runHost } from "../../host/commands.js";
import { OutputProgress, safeEmit } from "./progress.js";

interface CommandCheck {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly expect?: string;
  readonly fix: string;
}

const COMMAND_CHECKS: readonly CommandCheck[] = [
  {
    name: "extra-container",
    command: "extra-container",
    args: ["--help"],
    fix: "Add extra-container to the host (the voxnix NixOS module does) and to the service PATH.",
  },
  {
    name: "nixos-container",
    command: "nixos-container",
    args: ["list"],
    fix: "Set boot.enableContainers = true and put nixos-container on the service PATH.",
  },
  {
    name: "machinectl",
    command: "machinectl",
    args: ["list", "--no-pager"],
    fix: "Make sure systemd-machined is running: systemctl status systemd-machined.",
  },
  {
    name: "container@.service template",
    command: "systemctl",
    args: ["list-unit-files", "container@.service", "--no-pager"],
    expect: "container@.service",
    fix: "Set boot.enableContainers = true in the host configuration.",
  },
  {
    name: "zfs",
    command: "zfs",
    args: ["version"],
    fix: 'Enable ZFS on the host (boot.supportedFilesystems = [ "zfs" ]) and put zfs on the service PATH.',
  },
];

/** Checks everything the nixos backend needs on the host, each with a fix. */
export async function doctorChecks(context: NixosContext): Promise<DoctorCheck[]> {
  const commandChecks = await Promise.all(COMMAND_CHECKS.map((check) => runCheck(context, check)));
  return [...commandChecks, await unitDirCheck(context), await confDirCheck(context), sourceCheck(context)];
}

async function runCheck(context: NixosContext, check: CommandCheck): Promise<DoctorCheck> {
  try {
    const result = await runHost(context.deps.runner, check.command, check.args, {
      action: `Checking ${check.name}`,
      timeoutMs: context.queryTimeoutMs,
    });
    if (result.exitCode !== 0)
      return {
        name: check.name,
        ok: false,
        detail: commandFailure(`${check.command} ${check.args.join(" ")}`, result).message,
        fix: check.fix,
      };
    if (check.expect !== undefined && !result.stdout.includes(check.expect)) {
      return { name: check.name, ok: false, detail: `${check.expect} is not installed on this host.`, fix: check.fix };
    }
    return { name: check.name, ok: true, detail: `${check.command} ${check.args.join(" ")} answered.` };
  } catch (error) {
    return {
      name: check.name,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
      fix: check.fix,
    };
  }
}

async function unitDirCheck(context: NixosContext): Promise<DoctorCheck> {
  const path = join(context.hostRoot, "etc", "systemd-mutable", "system");
  const name = "writable unit directory";
  try {
    await access(path, constants.W_OK);
    return { name, ok: true, detail: `${path} is writable.` };
  } catch {
    return {
      name,
      ok: false,
      detail: `${path} is missing or not writable by voxnix.`,
      fix: 'Set boot.extraSystemdUnitPaths = [ "/etc/systemd-mutable/system" ] and allow the service to write there (ReadWritePaths).',
    };
  }
}

async function confDirCheck(context: NixosContext): Promise<DoctorCheck> {
  const path = join(context.hostRoot, "etc", "nixos-containers");
  const name = "container conf directory";
  try {
    await access(path, constants.R_OK | constants.X_OK);
    return { name, ok: true, detail: `${path} is readable (install evidence for create).` };
  } catch {
    return {
      name,
      ok: false,
      detail: `${path} is missing or not readable.`,
      fix: "Set boot.enableContainers = true; voxnix needs to read this directory to know whether a create installed anything.",
    };
  }
}

function sourceCheck(context: NixosContext): DoctorCheck {
  const name = "voxnix Nix library";
  try {
    const source = resolveVoxnixSource(context.deps.config.nixos.flakePath);
    return { name, ok: true, detail: `Wrappers import ${source}/nix/lib/extra-container.nix.` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
      fix: "Set nixos.flakePath to the voxnix source (the NixOS module does).",
    };
  }
}

/** The template container name of a module set: `vximg-` and five hex digits (11 characters). */
export function imageName(modules: readonly string[]): string {
  return `vximg-${createHash("sha256")
    .update([...modules].sort().join(","))
    .digest("hex")
    .slice(0, 5)}`;
}

/** Builds the closure of every module set in `nixos.images` with `extra-container build`. */
export async function buildImages(
  context: NixosContext,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<ImageBuildReport> {
  const sets = context.deps.config.nixos.images;
  const specs = sets.map((modules, index) => imageSpec(context, modules, index));
  const images: { name: string; detail: string }[] = [];
  for (const spec of specs) {
    const label = spec.modules.join("+");
    safeEmit(onProgress, {
      type: "step",
      step: "building",
      message: `Building the image for ${label} (${spec.name}).`,
    });
    const storePath = await buildOne(context, spec, onProgress, signal);
    const rooted = await addGcRoot(context, spec.name, storePath);
    images.push({
      name: label,
      detail: `${spec.name}: ${storePath}${rooted ? "" : " (not protected from garbage collection)"}`,
    });
  }
  safeEmit(onProgress, { type: "step", step: "done", message: `Built ${images.length} image(s).` });
  return { images };
}

function imageSpec(context: NixosContext, modules: readonly string[], index: number): ContainerSpec {
  const { catalog, config } = context.deps;
  const unknown = modules.filter((module) => catalog.get(module) === undefined);
  if (unknown.length > 0) {
    throw new InvalidInputError([
      { path: `nixos.images.${index}`, message: `The image list names unknown modules: ${unknown.join(", ")}.` },
    ]);
  }
  const moduleOptions: Record<string, Record<string, ModuleOptionValue>> = {};
  for (const module of modules) {
    const options = Object.entries(catalog.get(module)?.options ?? {});
    if (options.length > 0)
      moduleOptions[module] = Object.fromEntries(options.map(([key, option]) => [key, option.default]));
  }
  return {
    kind: "container",
    name: imageName(modules) as WorkloadName,
    modules: [...modules],
    moduleOptions,
    workspace: modules.includes("workspace") ? { enabled: true } : { enabled: false },
    resources: {
      cpus: config.resources.defaultCpus,
      memoryBytes: config.resources.defaultMemory,
      pids: config.resources.defaultPids,
    },
    remoteAccess: modules.includes("tailscale"),
  };
}

async function buildOne(
  context: NixosContext,
  spec: ContainerSpec,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<string> {
  // Placeholder host paths: they only end up in the small per-container part, which each
  // real create builds anyway; no secret is involved.
  const placeholders = join(context.deps.stateDir, "nixos", "images");
  const artifacts = renderArtifacts(
    context,
    spec,
    {
      ownerLabel: "image",
      workspaceHostPath: join(placeholders, "workspace"),
      remoteAccessKeyFile: join(placeholders, "no-key"),
    },
    false,
  );
  const directory = await mkdtemp(join(tmpdir(), "voxnix-image-"));
  try {
    await writeFile(join(directory, "spec.json"), artifacts.specJson, { mode: 0o600 });
    const wrapperPath = join(directory, "container.nix");
    await writeFile(wrapperPath, artifacts.wrapper, { mode: 0o600 });
    const progress = new OutputProgress(onProgress);
    const result = await runHost(context.deps.runner, EXTRA_CONTAINER, buildArgs(wrapperPath), {
      action: `Building the image ${spec.name}`,
      timeoutMs: context.createTimeoutMs,
      onOutput: progress.onOutput,
      ...(signal ? { signal } : {}),
    });
    progress.flush();
    if (result.exitCode !== 0)
      throw commandFailure(`Building the image ${spec.name}`, result, summarizeNixError(result.stderr));
    const storePath = parseBuildOutput(result.stdout);
    if (!storePath)
      throw new HostFailureError(`Building the image ${spec.name} printed no store path.`, outputDetail(result));
    return storePath;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

// extra-container build's own out-link lives in a deleted temporary directory, so without a
// root of our own the next garbage collection would throw the prebuilt closure away.
async function addGcRoot(context: NixosContext, name: string, storePath: string): Promise<boolean> {
  const rootDir = join(context.deps.stateDir, "nixos", "gcroots");
  try {
    await mkdir(rootDir, { recursive: true, mode: 0o700 });
    const result = await runHost(
      context.deps.runner,
      "nix-store",
      ["--realise", storePath, "--add-root", join(rootDir, name), "--indirect"],
      {
        action: `Protecting the image ${name} from garbage collection`,
        timeoutMs: context.commandTimeoutMs,
      },
    );
    if (result.exitCode === 0) return true;
    context.logger.warn({ image: name, detail: outputDetail(result) }, "image gc root could not be added");
  } catch (error) {
    context.logger.warn({ image: name, error: String(error) }, "image gc root could not be added");
  }
  return false;
}
