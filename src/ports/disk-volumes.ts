/**
 * Disk volumes, the part of the storage port a VM runtime uses: a folder per workload that
 * holds its disk images (a disk set), the disks in it (a copy-on-write qcow2 overlay over a
 * base image; a raw ext4 workspace disk of a size), growing a disk, keeping a destroyed
 * workload's disks under a reference for the undo window and copying them back, and their
 * allocation. The runtime chooses where each disk lives inside its area and which of its files
 * belong to a kept volume; the driver makes, moves, copies, measures and deletes them, and
 * decides whether they count in the owner's quota (btrfs on its pool: a disk set is a
 * subvolume in the owner's qgroup; elsewhere plain files that no quota sees).
 *
 * Every file here is written by voxnix or by the hypervisor, never read inside: a guest only
 * ever sees block devices, and the host never mounts, checks or parses what a guest wrote.
 * Paths are never followed through links.
 *
 * @module
 */
import type { DoctorCheck } from "./runtime.js";

/** Who asks for an area, and where its own configuration put it (`vm.root`), if it did. */
export interface DiskVolumeRequest {
  /** The runtime's name; the default area is named after it. */
  readonly runtime: string;
  /** An explicit directory for the area; the driver then keeps plain files there, off its pool. */
  readonly at?: string;
}

/** How a disk image is stored: a qcow2 file (overlays) or a raw file the guest sees as is. */
export type DiskFormat = "qcow2" | "raw";

/** A file or folder of a disk set that goes into a kept volume, and its name there. */
export interface KeptEntry {
  readonly from: string;
  readonly name: string;
}

/** A file or folder of a kept volume, and where a restore copies it. */
export interface RestoredEntry {
  readonly name: string;
  readonly to: string;
  /** Skipped when the kept volume lacks it (a disk the hypervisor makes at first boot); else its absence fails the restore. */
  readonly optional?: boolean;
}

/** What a keep holds: the reference it is kept under and the bytes it holds on the host. */
export interface KeptDisks {
  readonly ref: string;
  readonly bytes: number;
}

/** The disk-volume operations on one runtime's area. */
export interface DiskVolumes {
  /** The area's directory: kept volumes live under `<hostPath>/kept/<ref>`. */
  readonly hostPath: string;
  /**
   * True when disk sets made here with a `quotaGroup` count in that group (btrfs on its pool),
   * so a write past the owner's quota fails; false for plain files that no quota sees.
   */
  readonly quotaAccounted: boolean;
  /** Makes the area usable (mounts its pool, creates the directory). Idempotent. */
  ensureReady(): Promise<void>;
  /**
   * Creates the empty folder (mode 0700) that will hold one workload's disks, joining
   * `quotaGroup` (`StorageDriver.quotaGroup`) where `quotaAccounted`. Fails when it exists.
   */
  createDiskSet(dir: string, options?: { readonly quotaGroup?: string }): Promise<void>;
  /** Deletes a disk set with everything in it (never following a link); a missing one succeeds. */
  deleteDiskSet(dir: string): Promise<void>;
  /**
   * Creates a qcow2 overlay at `file` whose backing file is the qcow2 image `base` (by absolute
   * path, so the base must stay until the overlay goes), with a virtual size of `sizeBytes`.
   */
  createOverlay(file: string, base: string, sizeBytes: number): Promise<void>;
  /** The host command `createOverlay` runs, for dry runs. Pure. */
  overlayCommand(file: string, base: string, sizeBytes: number): readonly string[];
  /**
   * Creates a sparse raw disk of `sizeBytes` at `file` with an empty ext4 file system labelled
   * `label`, unless it exists (a restart, or a restore that brought it back): resolves true
   * when it made one. An existing path must be a regular file, never a link. A failed format
   * leaves no file behind.
   */
  createWorkspaceDisk(file: string, sizeBytes: number, label: string): Promise<boolean>;
  /** The host command that formats a new workspace disk, for dry runs. Pure. */
  workspaceDiskCommand(file: string, label: string): readonly string[];
  /**
   * Grows the disk at `file` to `sizeBytes` (the guest grows its file system itself); a size
   * below the current one is refused, the same size succeeds. The workload must be stopped.
   */
  growDisk(file: string, format: DiskFormat, sizeBytes: number): Promise<void>;
  /** Bytes the host allocated for the disk at `file` (blocks, not its sparse size); 0 when absent. */
  usage(file: string): Promise<number>;
  /** Deletes one disk file; a missing one succeeds. */
  deleteDisk(file: string): Promise<void>;
  /**
   * Moves the entries that exist into the kept volume `ref` (a snapshot id), staged so a crash
   * never leaves a half-kept volume under the real name, and reports what it holds. Nothing is
   * kept, and undefined is answered, when the first entry (the disk the volume is for) is
   * missing; a retry whose volume is already kept reports it again. `quotaGroup`: as for a
   * disk set, where the kept copy counts.
   */
  keep(
    ref: string,
    entries: readonly KeptEntry[],
    options?: { readonly quotaGroup?: string },
  ): Promise<KeptDisks | undefined>;
  /**
   * Reads a small file of kept volume `ref` (the runtime's record of the disks); undefined
   * when the volume or the file is missing. Refuses a link.
   */
  readKept(ref: string, name: string): Promise<string | undefined>;
  /**
   * Copies entries of kept volume `ref` to their targets (which must not exist), as
   * copy-on-write clones where the file system has them and sparse copies elsewhere; the kept
   * volume stays until `discard`. Throws when the volume or an entry is missing.
   */
  restore(ref: string, entries: readonly RestoredEntry[]): Promise<void>;
  /** Deletes kept volume `ref`; an unknown one succeeds. Refuses anything that is not a snapshot id. */
  discard(ref: string): Promise<void>;
  /** Checks for `voxnix doctor` about the area. */
  doctor(): Promise<readonly DoctorCheck[]>;
}
