/**
 * Where the QEMU runtime keeps things. One folder per VM holds everything the host owns for
 * it, so destroy is "stop the process, remove the folder":
 *
 *   <images>/debian-<suite>-<id>/{root.qcow2,vmlinuz,initrd.img}   a base image (never changed once built)
 *   <images>/debian-<suite>.json            which image is current (new VMs use it; old ones keep theirs)
 *   <root>/machines/<name>/vm.json          the spec, the forwarded SSH port, the accelerator
 *   <root>/machines/<name>/root.qcow2       copy-on-write overlay on the base image
 *   <root>/machines/<name>/seed.img         read-only seed disk (a tar archive the guest unpacks)
 *   <root>/machines/<name>/workspace.img    the workspace disk, when the core gave no workspace directory
 *   <root>/machines/<name>/client-key{,.pub} the host-held key `exec` logs in with
 *   <root>/machines/<name>/known_hosts      the guest's host key, generated here before first boot
 *   <root>/machines/<name>/console.log      the serial console, copied out of QEMU's ring buffer (bounded)
 *   <root>/machines/<name>/qemu.pid, qmp.sock
 *
 *   <root>/kept/<snapshot id>/              a destroyed VM's overlay, seed and keys, for undo
 *
 * `<root>` is also the runtime's disk-volume area in the storage port: each VM folder is a disk
 * set the storage creates and deletes, and the storage makes, keeps and measures the disks in
 * it. Every file in these folders is written by voxnix or QEMU, never by a guest: the guest only
 * ever sees block devices.
 *
 * @module
 */
import path from "node:path";
import type { BackendDeps } from "../../backends/deps.js";

/** Resolved runtime paths. */
export interface QemuPaths {
  readonly root: string;
  readonly images: string;
  readonly machines: string;
}

/** The configured root (default `<stateDir>/vm`) and image directory (default `<root>/images`). */
export function resolveQemuPaths(deps: Pick<BackendDeps, "config" | "stateDir">): QemuPaths {
  // Absolute, as the storage port's disk paths must be (a relative vm.root is read from the working directory).
  const root = path.resolve(deps.config.vm.root ?? path.join(deps.stateDir, "vm"));
  return {
    root,
    images: path.resolve(deps.config.vm.imageDir ?? path.join(root, "images")),
    machines: path.join(root, "machines"),
  };
}

/** Files of one VM. */
export interface VmPaths {
  readonly dir: string;
  readonly metadata: string;
  readonly overlay: string;
  readonly seed: string;
  readonly workspace: string;
  readonly clientKey: string;
  readonly knownHosts: string;
  readonly console: string;
  readonly pidFile: string;
  readonly qmpSocket: string;
  /** Present while a stop is in progress, so `list` says "stopping". */
  readonly stopping: string;
}

/** Longest path a unix socket can have (`sun_path` is 108 bytes including the terminator). */
export const MAX_SOCKET_PATH = 107;

/**
 * Paths of one VM. `workspaceHostPath` (a directory from the storage driver, counted in the
 * owner's quota and snapshotted with the workspace) holds the workspace disk when given.
 */
export function vmPaths(paths: QemuPaths, name: string, workspaceHostPath?: string): VmPaths {
  const dir = path.join(paths.machines, name);
  return {
    dir,
    metadata: path.join(dir, "vm.json"),
    overlay: path.join(dir, "root.qcow2"),
    seed: path.join(dir, "seed.img"),
    workspace:
      workspaceHostPath === undefined
        ? path.join(dir, "workspace.img")
        : path.join(workspaceHostPath, "vm-workspace.img"),
    clientKey: path.join(dir, "client-key"),
    knownHosts: path.join(dir, "known_hosts"),
    console: path.join(dir, "console.log"),
    pidFile: path.join(dir, "qemu.pid"),
    qmpSocket: path.join(dir, "qmp.sock"),
    stopping: path.join(dir, "stopping"),
  };
}
