/**
 * Where the microvm runtime keeps things. Two places, because two owners:
 *
 *   <microvm.stateDir>/<name>/current          the runner link (`nix build --out-link`), what
 *                                              microvm@<name>.service runs (microvm.nix's layout)
 *   <microvm.stateDir>/<name>/var.img          the root volume (mounted at /var in the guest),
 *                                              created by the runner on first start
 *   <microvm.stateDir>/<name>/workspace.img    the workspace volume, when the core gave no directory
 *   <microvm.stateDir>/<name>/seed/            shared into the guest (9p): the host key voxnix
 *                                              generated, voxnix's public key; beside the disks,
 *                                              because the hypervisor runs as microvm.nix's user
 *   <root>/machines/<name>/vm-spec.json        what nix/lib/vm-guest.nix reads (no secret in it)
 *   <root>/machines/<name>/record.json         the voxnix spec, SSH port, when it was made
 *   <root>/machines/<name>/client-key{,.pub}   the key exec logs in with
 *   <root>/machines/<name>/known_hosts         the guest's pinned host key
 *   <root>/kept/<snapshot id>/                 a destroyed VM's root volume and keys, for undo
 *                                              (the storage port's disk-volume area is <root>)
 *
 * The seed is the only directory the guest sees, read-only; nothing the guest writes is ever
 * read by the host except through SSH.
 *
 * @module
 */
import path from "node:path";
import type { BackendDeps } from "../../backends/deps.js";

/** Resolved runtime paths. */
export interface MicrovmPaths {
  readonly stateDir: string;
  readonly root: string;
  readonly machines: string;
  readonly kept: string;
}

/** The configured directories (`microvm.root` defaults to `<stateDir>/microvm`). */
export function resolveMicrovmPaths(deps: Pick<BackendDeps, "config" | "stateDir">): MicrovmPaths {
  // Absolute, as the storage port's disk paths must be.
  const root = path.resolve(deps.config.microvm.root ?? path.join(deps.stateDir, "microvm"));
  return {
    stateDir: path.resolve(deps.config.microvm.stateDir),
    root,
    machines: path.join(root, "machines"),
    kept: path.join(root, "kept"),
  };
}

/** Files of one VM. */
export interface MicrovmVmPaths {
  readonly dir: string;
  readonly specFile: string;
  readonly record: string;
  readonly seed: string;
  readonly clientKey: string;
  readonly knownHosts: string;
  /** microvm.nix's folder for the VM (the unit's working directory). */
  readonly stateDir: string;
  readonly runner: string;
  readonly rootVolume: string;
  readonly workspace: string;
}

/** Paths of one VM; `workspaceHostPath` (from the storage driver) holds the workspace volume when given. */
export function microvmVmPaths(paths: MicrovmPaths, name: string, workspaceHostPath?: string): MicrovmVmPaths {
  const dir = path.join(paths.machines, name);
  const stateDir = path.join(paths.stateDir, name);
  return {
    dir,
    specFile: path.join(dir, "vm-spec.json"),
    record: path.join(dir, "record.json"),
    seed: path.join(stateDir, "seed"),
    clientKey: path.join(dir, "client-key"),
    knownHosts: path.join(dir, "known_hosts"),
    stateDir,
    runner: path.join(stateDir, "current"),
    rootVolume: path.join(stateDir, "var.img"),
    workspace:
      workspaceHostPath === undefined
        ? path.join(stateDir, "workspace.img")
        : path.join(workspaceHostPath, "vm-workspace.img"),
  };
}

/** The systemd unit microvm.nix's host module runs a VM in. */
export const unitOf = (name: string): string => `microvm@${name}.service`;
