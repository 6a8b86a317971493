/**
 * The storage port: per-user quota'd space and typed volumes. The core asks for workspace
 * volumes (with a size limit) and their snapshots; a runtime asks for its image and root
 * volumes (`rootVolumes`, in `root-volumes.ts`); a VM runtime asks for its disk images
 * (`diskVolumes`, in `disk-volumes.ts`). Nobody outside a driver knows where the
 * pool is or how it is laid out. Implementations: zfs (the appliance), btrfs (portable, real
 * quotas), dir (no quotas).
 *
 * Users are named by their storage key (`telegram_42`, see `userStorageKey`), workloads by name.
 *
 * @module
 */
import type { DoctorCheck } from "./runtime.js";
import type { RootVolumeRequest, RootVolumes } from "./root-volumes.js";
import type { DiskVolumeRequest, DiskVolumes } from "./disk-volumes.js";

export type {
  DiskFormat,
  DiskVolumeRequest,
  DiskVolumes,
  KeptDisks,
  KeptEntry,
  RestoredEntry,
} from "./disk-volumes.js";

export type {
  ImageVolume,
  RootVolume,
  RootVolumeLocation,
  RootVolumeRequest,
  RootVolumes,
  RootCloneKind,
} from "./root-volumes.js";

/** Capabilities as data. */
export interface StorageInfo {
  readonly name: string;
  /** True when per-user quotas are enforced by the file system (a write past the quota fails). */
  readonly quotas: boolean;
  /** True when snapshots are cheap copy-on-write; false means they are full copies. */
  readonly cowSnapshots: boolean;
}

/** Space accounting in bytes; `quotaBytes`/`availableBytes` are null where not enforced. */
export interface Usage {
  readonly usedBytes: number;
  readonly quotaBytes: number | null;
  readonly availableBytes: number | null;
}

/** A snapshot the driver can restore or delete; `ref` is opaque to the core and stored in the database. */
export interface SnapshotRef {
  readonly ref: string;
}

/** Per-workspace settings. */
export interface WorkspaceOptions {
  /** The most the workspace may hold; enforced where the driver has quotas (btrfs qgroup, ZFS refquota). */
  readonly sizeBytes?: number;
}

export interface StorageDriver {
  info(): StorageInfo;

  // Pool
  /** Makes the pool usable (creates a loop image, checks the pool, mounts it). Idempotent. */
  ensureReady(): Promise<void>;
  doctor(): Promise<readonly DoctorCheck[]>;

  // Users
  /** Creates the user's area if needed and (re)applies the quota. Idempotent and race-tolerant. */
  ensureUser(userKey: string, quotaBytes: number): Promise<void>;
  userUsage(userKey: string): Promise<Usage>;

  /**
   * The accounting group a volume created on the pool must join to count against the user's
   * quota (a btrfs qgroup such as `1/258`), or undefined when the driver has none. The core
   * hands it to the runtime (`HostContext.quotaGroup`), which passes it to
   * `RootVolumes.cloneRoot`, so writes to the root count like workspace writes.
   */
  quotaGroup?(userKey: string): Promise<string | undefined>;

  // Workspaces
  /**
   * Where the workload's workspace is or would be on the host. Pure: creates and mounts
   * nothing (dry runs show it). Refuses hostile keys and names like every other method.
   */
  workspacePath(userKey: string, workload: string): string;
  /** Creates the workspace (idempotent) with its own size limit, if given, and returns its host path. */
  createWorkspace(
    userKey: string,
    workload: string,
    options?: WorkspaceOptions,
  ): Promise<{ readonly hostPath: string }>;
  /** Makes sure the workspace is mounted and returns its host path; called before every start. */
  ensureWorkspaceMounted(userKey: string, workload: string): Promise<{ readonly hostPath: string }>;
  /** Deletes the workspace; a missing one succeeds. */
  deleteWorkspace(userKey: string, workload: string): Promise<void>;
  /**
   * Changes the workspace's size limit in place, while it is mounted and in use (btrfs: the
   * subvolume's qgroup limit; zfs: `refquota`); `null` removes the limit. The core refuses a
   * size below what the workspace holds before calling this. Absent: the driver has no limits.
   */
  resizeWorkspace?(userKey: string, workload: string, sizeBytes: number | null): Promise<void>;
  workspaceUsage(userKey: string, workload: string): Promise<Usage>;
  /** True when the workspace exists on disk. Used by reconcile to find leftovers. */
  workspaceExists(userKey: string, workload: string): Promise<boolean>;

  // Snapshots
  /** Takes a read-only snapshot of the workspace, labelled `label` (unique per workload). */
  snapshotWorkspace(userKey: string, workload: string, label: string): Promise<SnapshotRef>;
  /** Recreates the workspace from a snapshot (with its size limit, if given); the workspace must not exist. */
  restoreWorkspace(
    snapshot: SnapshotRef,
    userKey: string,
    workload: string,
    options?: WorkspaceOptions,
  ): Promise<{ readonly hostPath: string }>;
  /** Deletes a snapshot; a missing one succeeds. */
  deleteSnapshot(snapshot: SnapshotRef): Promise<void>;

  // Root volumes
  /**
   * The area where `request.runtime` keeps its images and workload roots, with the volume
   * operations on it. Pure until a method of the answer is called. Absent: the driver offers
   * no root volumes (a runtime whose roots are file-system trees cannot use it).
   */
  rootVolumes?(request: RootVolumeRequest): RootVolumes;

  // Disk volumes
  /**
   * The area where `request.runtime` keeps its workloads' disk images (overlays, workspace
   * disks, disks kept for undo), with the volume operations on it. Pure until a method of the
   * answer is called. Absent: the driver offers no disk volumes (a VM runtime cannot use it).
   */
  diskVolumes?(request: DiskVolumeRequest): DiskVolumes;
}
