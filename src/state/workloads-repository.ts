/**
 * Workloads: what voxnix intends to exist (name, owner, spec, status, desired state).
 * Names are the primary key, so they are unique across the whole host.
 *
 * @module
 */
import type { UserId } from "../domain/identity.js";
import type { ContainerSpec, WorkloadSpec } from "../domain/spec.js";
import type { VoxnixDatabase } from "./database.js";

/** Recorded lifecycle; mirrors `WorkloadStatus` in the core API. */
export type StoredWorkloadStatus = "creating" | "ready" | "destroying" | "failed";
/** What the owner last asked for. */
export type DesiredState = "running" | "stopped";

/** A workload row. */
export interface WorkloadRecord {
  readonly name: string;
  readonly owner: UserId;
  readonly backend: string;
  readonly spec: WorkloadSpec;
  readonly status: StoredWorkloadStatus;
  readonly desired: DesiredState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface WorkloadRow {
  name: string;
  owner: string;
  backend: string;
  spec_json: string;
  status: StoredWorkloadStatus;
  desired: DesiredState;
  created_at: number;
  updated_at: number;
}

/** Totals over one user's workloads, for quota checks. */
export interface WorkloadUsage {
  readonly count: number;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly pids: number;
}

/** Reads and writes the `workloads` table. */
export interface WorkloadsRepository {
  get(name: string): WorkloadRecord | undefined;
  /** Inserts a row; returns false when the name is already taken (by anyone). */
  insert(record: WorkloadRecord): boolean;
  update(name: string, changes: { status?: StoredWorkloadStatus; desired?: DesiredState }, at: Date): void;
  /** Replaces the recorded spec (after a change was applied on the host). */
  updateSpec(name: string, spec: WorkloadSpec, at: Date): void;
  delete(name: string): void;
  listByOwner(owner: UserId): readonly WorkloadRecord[];
  listAll(): readonly WorkloadRecord[];
  /** Every recorded name (for suggesting a free one). */
  names(): ReadonlySet<string>;
  usage(owner: UserId): WorkloadUsage;
  countByOwner(): ReadonlyMap<string, number>;
}

/** Values filled into specs recorded before a field existed. */
export interface WorkloadDefaults {
  /** The `pids` limit of a spec recorded without one (the configured default). */
  readonly pids: number;
}

/** Creates the workloads repository over `db`. */
export function createWorkloadsRepository(
  db: VoxnixDatabase,
  defaults: WorkloadDefaults = { pids: 512 },
): WorkloadsRepository {
  const sqlite = db.sqlite;
  const select = sqlite.prepare<[string], WorkloadRow>("SELECT * FROM workloads WHERE name = ?");
  const insert = sqlite.prepare(
    `INSERT INTO workloads (name, owner, backend, spec_json, status, desired, created_at, updated_at)
     VALUES (@name, @owner, @backend, @spec, @status, @desired, @createdAt, @updatedAt) ON CONFLICT(name) DO NOTHING`,
  );
  const remove = sqlite.prepare<[string]>("DELETE FROM workloads WHERE name = ?");
  const byOwner = sqlite.prepare<[string], WorkloadRow>("SELECT * FROM workloads WHERE owner = ? ORDER BY name");
  const all = sqlite.prepare<[], WorkloadRow>("SELECT * FROM workloads ORDER BY name");
  const names = sqlite.prepare<[], { name: string }>("SELECT name FROM workloads");
  // A spec recorded before pids limits existed counts with the default it now runs with.
  const totals = sqlite.prepare<
    [{ owner: string; defaultPids: number }],
    { count: number; cpus: number | null; memory: number | null; pids: number | null }
  >(
    `SELECT COUNT(*) AS count, SUM(json_extract(spec_json, '$.resources.cpus')) AS cpus,
            SUM(json_extract(spec_json, '$.resources.memoryBytes')) AS memory,
            SUM(COALESCE(json_extract(spec_json, '$.resources.pids'), @defaultPids)) AS pids FROM workloads WHERE owner = @owner`,
  );
  const counts = sqlite.prepare<[], { owner: string; n: number }>(
    "SELECT owner, COUNT(*) AS n FROM workloads GROUP BY owner",
  );
  const setStatus = sqlite.prepare("UPDATE workloads SET status = @status, updated_at = @at WHERE name = @name");
  const setDesired = sqlite.prepare("UPDATE workloads SET desired = @desired, updated_at = @at WHERE name = @name");
  const setSpec = sqlite.prepare("UPDATE workloads SET spec_json = @spec, updated_at = @at WHERE name = @name");
  return {
    get: (name) => {
      const row = select.get(name);
      return row ? toRecord(row, defaults) : undefined;
    },
    insert: (record) =>
      insert.run({
        name: record.name,
        owner: record.owner,
        backend: record.backend,
        spec: JSON.stringify(record.spec),
        status: record.status,
        desired: record.desired,
        createdAt: record.createdAt.getTime(),
        updatedAt: record.updatedAt.getTime(),
      }).changes === 1,
    update: (name, changes, at) => {
      if (changes.status !== undefined) setStatus.run({ name, status: changes.status, at: at.getTime() });
      if (changes.desired !== undefined) setDesired.run({ name, desired: changes.desired, at: at.getTime() });
    },
    updateSpec: (name, spec, at) => void setSpec.run({ name, spec: JSON.stringify(spec), at: at.getTime() }),
    delete: (name) => void remove.run(name),
    listByOwner: (owner) => byOwner.all(owner).map((row) => toRecord(row, defaults)),
    listAll: () => all.all().map((row) => toRecord(row, defaults)),
    names: () => new Set(names.all().map((row) => row.name)),
    usage: (owner) => {
      const row = totals.get({ owner, defaultPids: defaults.pids })!;
      return { count: row.count, cpus: row.cpus ?? 0, memoryBytes: row.memory ?? 0, pids: row.pids ?? 0 };
    },
    countByOwner: () => new Map(counts.all().map((row) => [row.owner, row.n])),
  };
}

/** `spec` as recorded, with fields added since it was recorded filled from `defaults`. */
export function withSpecDefaults(spec: WorkloadSpec, defaults: WorkloadDefaults): WorkloadSpec {
  if (spec.kind === "vm") return spec;
  const resources: Partial<ContainerSpec["resources"]> = spec.resources;
  // Specs recorded before workload kinds existed are containers.
  const kinded: ContainerSpec = (spec as { kind?: string }).kind === undefined ? { ...spec, kind: "container" } : spec;
  return resources.pids === undefined ? { ...kinded, resources: { ...kinded.resources, pids: defaults.pids } } : kinded;
}

function toRecord(row: WorkloadRow, defaults: WorkloadDefaults): WorkloadRecord {
  const spec = JSON.parse(row.spec_json) as WorkloadSpec;
  return {
    name: row.name,
    owner: row.owner as UserId,
    backend: row.backend,
    spec: withSpecDefaults(spec, defaults),
    status: row.status,
    desired: row.desired,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
