/**
 * Jobs: long operations (create, destroy, restore) persisted with the pid of the process
 * running them, so a later process can see their state and recover ones a crash interrupted.
 *
 * @module
 */
import type { VoxnixErrorKind } from "../domain/errors.js";
import type { UserId } from "../domain/identity.js";
import type { VoxnixDatabase } from "./database.js";

/** Kinds of jobs; mirrors the core API. */
export type StoredJobKind = "create" | "destroy" | "restore" | "change";
/** Job states; mirrors the core API. */
export type StoredJobState = "running" | "succeeded" | "failed" | "interrupted";

/** A job row. */
export interface JobRecord {
  readonly id: string;
  readonly kind: StoredJobKind;
  readonly workload: string;
  readonly owner: UserId;
  readonly state: StoredJobState;
  readonly progress: string;
  readonly error?: { readonly kind: VoxnixErrorKind; readonly message: string };
  readonly pid: number;
  /** The core instance (and boot) running the job; empty for jobs recorded before schema 4. */
  readonly holder: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
}

interface JobRow {
  id: string;
  kind: StoredJobKind;
  workload: string;
  owner: string;
  state: StoredJobState;
  progress: string;
  error_kind: string | null;
  error_message: string | null;
  pid: number;
  holder: string;
  started_at: number;
  ended_at: number | null;
}

/** Reads and writes the `jobs` table. */
export interface JobsRepository {
  insert(record: Omit<JobRecord, "state" | "progress" | "error" | "endedAt">): void;
  get(id: string): JobRecord | undefined;
  setProgress(id: string, progress: string): void;
  finish(
    id: string,
    state: Exclude<StoredJobState, "running">,
    at: Date,
    error?: { kind: VoxnixErrorKind; message: string },
  ): void;
  /** Jobs recorded as running (by any process). */
  running(): readonly JobRecord[];
}

/** Creates the jobs repository over `db`. */
export function createJobsRepository(db: VoxnixDatabase): JobsRepository {
  const sqlite = db.sqlite;
  const insert = sqlite.prepare(
    `INSERT INTO jobs (id, kind, workload, owner, state, progress, pid, holder, started_at)
     VALUES (@id, @kind, @workload, @owner, 'running', '', @pid, @holder, @startedAt)`,
  );
  const select = sqlite.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?");
  const progress = sqlite.prepare<[string, string]>("UPDATE jobs SET progress = ? WHERE id = ?");
  const finish = sqlite.prepare(
    "UPDATE jobs SET state = @state, ended_at = @at, error_kind = @errorKind, error_message = @errorMessage WHERE id = @id",
  );
  const running = sqlite.prepare<[], JobRow>("SELECT * FROM jobs WHERE state = 'running' ORDER BY started_at");
  return {
    insert: (record) =>
      void insert.run({
        id: record.id,
        kind: record.kind,
        workload: record.workload,
        owner: record.owner,
        pid: record.pid,
        holder: record.holder,
        startedAt: record.startedAt.getTime(),
      }),
    get: (id) => {
      const row = select.get(id);
      return row ? toRecord(row) : undefined;
    },
    setProgress: (id, text) => void progress.run(text, id),
    finish: (id, state, at, error) =>
      void finish.run({
        id,
        state,
        at: at.getTime(),
        errorKind: error?.kind ?? null,
        errorMessage: error?.message ?? null,
      }),
    running: () => running.all().map(toRecord),
  };
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    workload: row.workload,
    owner: row.owner as UserId,
    state: row.state,
    progress: row.progress,
    ...(row.error_kind === null
      ? {}
      : { error: { kind: row.error_kind as VoxnixErrorKind, message: row.error_message ?? "" } }),
    pid: row.pid,
    holder: row.holder,
    startedAt: new Date(row.started_at),
    ...(row.ended_at === null ? {} : { endedAt: new Date(row.ended_at) }),
  };
}
