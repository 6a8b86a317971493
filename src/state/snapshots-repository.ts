/**
 * Snapshots kept by destroys, restorable until they expire: the workspace's (in the storage
 * driver) and, for a VM, its root disk (kept by the runtime that ran it).
 *
 * @module
 */
import type { UserId } from "../domain/identity.js";
import type { WorkloadSpec } from "../domain/spec.js";
import type { VoxnixDatabase } from "./database.js";
import { withSpecDefaults, type WorkloadDefaults } from "./workloads-repository.js";

/** `kept` until restored or pruned after the undo window. */
export type SnapshotState = "kept" | "restored" | "pruned";

/** A VM's root disk, kept by `runtime` under `ref` for the undo window. */
export interface KeptRootDisk {
  readonly runtime: string;
  readonly ref: string;
  /** What it holds on the host, counted in the owner's disk quota while it is kept. */
  readonly bytes: number;
}

/** A snapshot row. `storageRef` is absent when the workload had no workspace. */
export interface SnapshotRecord {
  readonly id: string;
  readonly owner: UserId;
  readonly workload: string;
  readonly storageRef?: string;
  /** A VM's root disk, when its runtime kept one. */
  readonly rootDisk?: KeptRootDisk;
  readonly spec: WorkloadSpec;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly state: SnapshotState;
  readonly jobId?: string;
}

interface SnapshotRow {
  id: string;
  owner: string;
  workload: string;
  storage_ref: string | null;
  spec_json: string;
  created_at: number;
  expires_at: number;
  state: SnapshotState;
  job_id: string | null;
  root_disk_runtime: string | null;
  root_disk_ref: string | null;
  root_disk_bytes: number | null;
}

/** Reads and writes the `snapshots` table. */
export interface SnapshotsRepository {
  insert(record: SnapshotRecord): void;
  get(id: string): SnapshotRecord | undefined;
  /** The newest kept snapshot of `owner`'s `workload` that has not expired at `now`. */
  latestKept(owner: UserId, workload: string, now: Date): SnapshotRecord | undefined;
  /** Kept snapshots of one owner that have not expired. */
  keptByOwner(owner: UserId, now: Date): readonly SnapshotRecord[];
  /** Kept snapshots whose undo window has passed. */
  expired(now: Date): readonly SnapshotRecord[];
  byJob(jobId: string): SnapshotRecord | undefined;
  setState(id: string, state: SnapshotState): void;
  /** Records the root disk a VM runtime kept for snapshot `id`. */
  setRootDisk(id: string, rootDisk: KeptRootDisk): void;
}

/** Creates the snapshots repository over `db`. */
export function createSnapshotsRepository(
  db: VoxnixDatabase,
  defaults: WorkloadDefaults = { pids: 512 },
): SnapshotsRepository {
  const toRecord = (row: SnapshotRow): SnapshotRecord => toSnapshotRecord(row, defaults);
  const optional = (row: SnapshotRow | undefined): SnapshotRecord | undefined => (row ? toRecord(row) : undefined);
  const sqlite = db.sqlite;
  const insert = sqlite.prepare(
    `INSERT INTO snapshots (id, owner, workload, storage_ref, spec_json, created_at, expires_at, state, job_id, root_disk_runtime, root_disk_ref, root_disk_bytes)
     VALUES (@id, @owner, @workload, @storageRef, @spec, @createdAt, @expiresAt, @state, @jobId, @rootDiskRuntime, @rootDiskRef, @rootDiskBytes)`,
  );
  const select = sqlite.prepare<[string], SnapshotRow>("SELECT * FROM snapshots WHERE id = ?");
  const latest = sqlite.prepare<[string, string, number], SnapshotRow>(
    "SELECT * FROM snapshots WHERE owner = ? AND workload = ? AND state = 'kept' AND expires_at > ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
  );
  const kept = sqlite.prepare<[string, number], SnapshotRow>(
    "SELECT * FROM snapshots WHERE owner = ? AND state = 'kept' AND expires_at > ? ORDER BY created_at DESC",
  );
  const expired = sqlite.prepare<[number], SnapshotRow>(
    "SELECT * FROM snapshots WHERE state = 'kept' AND expires_at <= ?",
  );
  const byJob = sqlite.prepare<[string], SnapshotRow>("SELECT * FROM snapshots WHERE job_id = ?");
  const setState = sqlite.prepare<[string, string]>("UPDATE snapshots SET state = ? WHERE id = ?");
  const setRootDisk = sqlite.prepare<[string, string, number, string]>(
    "UPDATE snapshots SET root_disk_runtime = ?, root_disk_ref = ?, root_disk_bytes = ? WHERE id = ?",
  );
  return {
    insert: (record) =>
      void insert.run({
        id: record.id,
        owner: record.owner,
        workload: record.workload,
        storageRef: record.storageRef ?? null,
        spec: JSON.stringify(record.spec),
        createdAt: record.createdAt.getTime(),
        expiresAt: record.expiresAt.getTime(),
        state: record.state,
        jobId: record.jobId ?? null,
        rootDiskRuntime: record.rootDisk?.runtime ?? null,
        rootDiskRef: record.rootDisk?.ref ?? null,
        rootDiskBytes: record.rootDisk?.bytes ?? null,
      }),
    get: (id) => optional(select.get(id)),
    latestKept: (owner, workload, now) => optional(latest.get(owner, workload, now.getTime())),
    keptByOwner: (owner, now) => kept.all(owner, now.getTime()).map(toRecord),
    expired: (now) => expired.all(now.getTime()).map(toRecord),
    byJob: (jobId) => optional(byJob.get(jobId)),
    setState: (id, state) => void setState.run(state, id),
    setRootDisk: (id, rootDisk) => void setRootDisk.run(rootDisk.runtime, rootDisk.ref, rootDisk.bytes, id),
  };
}

function toSnapshotRecord(row: SnapshotRow, defaults: WorkloadDefaults): SnapshotRecord {
  return {
    id: row.id,
    owner: row.owner as UserId,
    workload: row.workload,
    ...(row.storage_ref === null ? {} : { storageRef: row.storage_ref }),
    spec: withSpecDefaults(JSON.parse(row.spec_json) as WorkloadSpec, defaults),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    state: row.state,
    ...(row.job_id === null ? {} : { jobId: row.job_id }),
    ...(row.root_disk_runtime === null || row.root_disk_ref === null
      ? {}
      : { rootDisk: { runtime: row.root_disk_runtime, ref: row.root_disk_ref, bytes: row.root_disk_bytes ?? 0 } }),
  };
}
