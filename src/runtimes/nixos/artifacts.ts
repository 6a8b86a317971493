/**
 * The two files a NixOS create hands to extra-container: `spec.json` (the validated spec plus
 * host context, read by Nix with `builtins.fromJSON`) and `container.nix`, a one-line wrapper
 * that imports the repository's `nix/lib/extra-container.nix`. No user input is ever written
 * as Nix text, and no secret value is written at all: the auth key and environment variables
 * are host *files* that Nix only names.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HostFailureError } from "../../domain/errors.js";
import type { ContainerSpec, ModuleOptionValue } from "../../domain/spec.js";

/** The module that reads secret environment variables from a host file. */
export const ENV_MODULE = "env";
/** The module that enrols the container in Tailscale. */
export const TAILSCALE_MODULE = "tailscale";
/** The spec format version the Nix side understands. */
export const SPEC_VERSION = 1;

/** The JSON document `nix/lib/extra-container.nix` reads (see docs/nix.md). */
export interface NixContainerSpec {
  readonly version: typeof SPEC_VERSION;
  readonly name: string;
  /** Informational only; ownership lives in the database and is never read back. */
  readonly owner: string;
  readonly modules: readonly string[];
  readonly moduleOptions: Readonly<Record<string, Readonly<Record<string, ModuleOptionValue>>>>;
  readonly workspace: { readonly hostPath: string } | null;
  readonly resources: { readonly cpus: number; readonly memoryBytes: number; readonly pids: number };
  readonly network: { readonly hostBridge: string };
  readonly tailscale: { readonly authKeyFile: string; readonly hostname: string } | null;
  readonly env: { readonly hostFile: string } | null;
  readonly autoStart: boolean;
}

/** Host facts the spec file needs besides the validated spec. */
export interface SpecHostInputs {
  readonly ownerLabel: string;
  readonly workspaceHostPath?: string;
  readonly tailscaleKeyFile?: string;
  readonly envHostFile?: string;
  readonly hostBridge: string;
}

/** Builds the JSON document for Nix from a validated spec and the host context. */
export function buildNixSpec(spec: ContainerSpec, host: SpecHostInputs): NixContainerSpec {
  const wantsTailscale = spec.modules.includes(TAILSCALE_MODULE);
  const wantsEnv = spec.modules.includes(ENV_MODULE);
  return {
    version: SPEC_VERSION,
    name: spec.name,
    owner: host.ownerLabel,
    modules: [...spec.modules],
    moduleOptions: spec.moduleOptions,
    workspace:
      spec.workspace.enabled && host.workspaceHostPath !== undefined ? { hostPath: host.workspaceHostPath } : null,
    resources: { cpus: spec.resources.cpus, memoryBytes: spec.resources.memoryBytes, pids: spec.resources.pids },
    network: { hostBridge: host.hostBridge },
    tailscale:
      wantsTailscale && host.tailscaleKeyFile !== undefined
        ? { authKeyFile: host.tailscaleKeyFile, hostname: spec.name }
        : null,
    env: wantsEnv && host.envHostFile !== undefined ? { hostFile: host.envHostFile } : null,
    autoStart: true,
  };
}

/** The spec as written to `spec.json`: stable key order, two-space indent, trailing newline. */
export function renderSpecJson(spec: NixContainerSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

// A Nix path literal cannot hold spaces, quotes or `${`; the source path comes from the admin's
// configuration (never from a user), and anything unusual is refused rather than escaped.
const SAFE_NIX_PATH = /^\/[A-Za-z0-9._+\-/]*[A-Za-z0-9._+-]$/;

/** The wrapper expression: exactly one `import` of the library with the spec file next to it. */
export function renderWrapper(voxnixSource: string): string {
  if (!SAFE_NIX_PATH.test(voxnixSource) || voxnixSource.includes("//") || voxnixSource.includes("/../")) {
    throw new HostFailureError(
      `The voxnix source path "${voxnixSource}" cannot be used in a Nix expression; set nixos.flakePath to an absolute path made of letters, digits, ".", "_", "+", "-" and "/".`,
    );
  }
  return `import ${voxnixSource}/nix/lib/extra-container.nix { specFile = ./spec.json; }\n`;
}

/** Where a container's secret environment file lives on the host. */
export function envHostFile(stateDir: string, name: string): string {
  return join(stateDir, "secrets", "env", `${name}.env`);
}

/** Where backend-owned records of created containers live. */
export function recordsDir(stateDir: string): string {
  return join(stateDir, "nixos", "containers");
}

/**
 * The voxnix source tree that holds `nix/`: `nixos.flakePath` when configured, otherwise the
 * directory of the `voxnix` package this code was loaded from.
 */
export function resolveVoxnixSource(flakePath: string | undefined): string {
  if (flakePath !== undefined) return flakePath.replace(/\/+$/, "") || "/";
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, "package.json");
    if (existsSync(manifest) && packageName(manifest) === "voxnix") return directory;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new HostFailureError(
        "The voxnix source tree (holding nix/) could not be found; set nixos.flakePath in the configuration.",
      );
    }
    directory = parent;
  }
}

function packageName(manifest: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
    return typeof parsed.name === "string" ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
