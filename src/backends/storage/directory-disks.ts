/**
 * Disk volumes on a folder, shared by every driver: the disk files (`disk-files.ts`) and the
 * kept volumes under `<area>/kept/<ref>`, with the way a folder is made and removed left to
 * the driver (`DiskFolders`): plain directories for dir and zfs and for an area a runtime's
 * configuration placed (`directoryDiskVolumes`), btrfs subvolumes in the owner's qgroup on the
 * btrfs pool (`btrfs/disks.ts`).
 *
 * Why zfs keeps plain files too: qcow2 overlays name their base image by path and VM runtimes
 * hand QEMU files; a zvol per disk would need another backing chain and /dev nodes, and a
 * dataset per disk set would be the honest next step (its `refquota` the owner's), not done
 * yet. So on dir and zfs no quota sees VM disks, and the core holds their declared sizes
 * against the owner's quota at admission instead.
 *
 * @module
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DiskVolumes } from "../../ports/disk-volumes.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import {
  allocatedBytes,
  copyEntry,
  createOverlayFile,
  createWorkspaceDiskFile,
  growDiskFile,
  moveEntry,
  overlayArgs,
  present,
  requireAbsolute,
  treeAllocatedBytes,
  workspaceMkfsArgs,
} from "./disk-files.js";

// Kept volumes are named by snapshot ids (UUIDs); a reference is never a path.
const REF_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Entry names are plain file names the runtime chose (`root.qcow2`, `seed`).
const ENTRY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The largest kept file `readKept` reads (a runtime's record of the disks). */
const MAX_KEPT_READ = 1024 * 1024;

/** How a driver makes and removes the folders of its area. */
export interface DiskFolders {
  readonly quotaAccounted: boolean;
  /** Makes the area usable (its pool mounted). */
  ready(): Promise<void>;
  /** Creates the folder `dir` (its parent exists), joining `quotaGroup` where the driver accounts. Fails when it exists. */
  create(dir: string, quotaGroup: string | undefined): Promise<void>;
  /** Removes the folder `dir` and everything in it; a missing one succeeds. */
  remove(dir: string): Promise<void>;
  doctor(): Promise<readonly DoctorCheck[]>;
}

function checkEntry(name: string): string {
  if (!ENTRY_PATTERN.test(name)) throw new HostFailureError(`"${name}" is not a name of a kept disk file.`);
  return name;
}

/** Disk volumes on the area `hostPath`, with folders made by `folders`. */
export function folderDiskVolumes(runner: CommandRunner, hostPath: string, folders: DiskFolders): DiskVolumes {
  const keptRoot = path.join(hostPath, "kept");
  const keptDir = (ref: string): string => {
    if (!REF_PATTERN.test(ref)) throw new HostFailureError(`"${ref}" is not a kept root disk reference.`);
    return path.join(keptRoot, ref);
  };
  const ensureReady = async () => {
    await folders.ready();
    // As the VM folders always were: QEMU opens its disks before it drops to its own user.
    mkdirSync(hostPath, { recursive: true, mode: 0o700 });
  };

  return {
    hostPath,
    quotaAccounted: folders.quotaAccounted,
    ensureReady,
    async createDiskSet(dir, options = {}) {
      requireAbsolute(dir);
      await ensureReady();
      if (present(dir)) throw new HostFailureError(`The disk folder ${dir} already exists.`);
      mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
      await folders.create(dir, options.quotaGroup);
    },
    async deleteDiskSet(dir) {
      requireAbsolute(dir);
      await folders.remove(dir);
    },
    createOverlay: (file, base, sizeBytes) => createOverlayFile(runner, file, base, sizeBytes),
    overlayCommand: (file, base, sizeBytes) => ["qemu-img", ...overlayArgs(base, file, sizeBytes)],
    createWorkspaceDisk: (file, sizeBytes, label) => createWorkspaceDiskFile(runner, file, sizeBytes, label),
    workspaceDiskCommand: (file, label) => ["mkfs.ext4", ...workspaceMkfsArgs(file, label)],
    growDisk: (file, format, sizeBytes) => growDiskFile(runner, file, format, sizeBytes),
    usage: async (file) => allocatedBytes(requireAbsolute(file)),
    async deleteDisk(file) {
      rmSync(requireAbsolute(file), { force: true });
    },

    async keep(ref, entries, options = {}) {
      const dir = keptDir(ref);
      for (const entry of entries) {
        checkEntry(entry.name);
        requireAbsolute(entry.from);
      }
      if (!present(dir) && entries.length > 0 && present(entries[0]!.from)) {
        await ensureReady();
        mkdirSync(keptRoot, { recursive: true, mode: 0o700 });
        const staging = `${dir}.part`;
        await folders.remove(staging);
        await folders.create(staging, options.quotaGroup);
        for (const entry of entries) {
          if (present(entry.from)) await moveEntry(runner, entry.from, path.join(staging, entry.name));
        }
        renameSync(staging, dir);
      }
      return present(dir) ? { ref, bytes: treeAllocatedBytes(dir) } : undefined;
    },

    async readKept(ref, name) {
      const file = path.join(keptDir(ref), checkEntry(name));
      let fd: number;
      try {
        fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch {
        return undefined;
      }
      try {
        const found = fstatSync(fd);
        if (!found.isFile() || found.size > MAX_KEPT_READ) return undefined;
        return readFileSync(fd, "utf8");
      } finally {
        closeSync(fd);
      }
    },

    async restore(ref, entries) {
      const dir = keptDir(ref);
      if (!present(dir))
        throw new HostFailureError(`The kept root disk ${ref} is gone; nothing to restore the VM from.`);
      const copies: { readonly from: string; readonly to: string; readonly name: string }[] = [];
      for (const entry of entries) {
        const from = path.join(dir, checkEntry(entry.name));
        requireAbsolute(entry.to);
        if (!present(from)) {
          if (entry.optional === true) continue;
          throw new HostFailureError(`The kept root disk ${ref} has no ${entry.name}; nothing to restore the VM from.`);
        }
        if (present(entry.to)) throw new HostFailureError(`${entry.to} exists; a restore never overwrites a disk.`);
        copies.push({ from, to: entry.to, name: entry.name });
      }
      for (const copy of copies) await copyEntry(runner, copy.from, copy.to, `copy the kept ${copy.name}`);
    },

    async discard(ref) {
      const dir = keptDir(ref);
      await folders.remove(`${dir}.part`);
      await folders.remove(dir);
    },

    doctor: () => folders.doctor(),
  };
}

/** Plain directories: no quota sees them. */
export function plainFolders(): DiskFolders {
  return {
    quotaAccounted: false,
    async ready() {},
    async create(dir) {
      mkdirSync(dir, { mode: 0o700 });
    },
    async remove(dir) {
      rmSync(dir, { recursive: true, force: true });
    },
    async doctor() {
      return [];
    },
  };
}

/** A disk-volume area on a plain directory (dir, zfs, and any area a runtime's configuration placed). */
export function directoryDiskVolumes(runner: CommandRunner, hostPath: string): DiskVolumes {
  return folderDiskVolumes(runner, requireAbsolute(hostPath), plainFolders());
}
