/**
 * The audit log: one row per operation request (who, what, arguments without secrets,
 * outcome, error kind, duration, and the job it started).
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** One audit record. `args` must already be redacted. */
export interface AuditRecord {
  readonly actor: string;
  readonly operation: string;
  readonly target?: string;
  readonly args: unknown;
  readonly outcome: "ok" | "error";
  readonly errorKind?: string;
  readonly durationMs: number;
  readonly startedAt: Date;
  readonly jobId?: string;
}

/** A stored audit record with its id. */
export interface StoredAuditRecord extends AuditRecord {
  readonly id: number;
}

interface AuditRow {
  id: number;
  actor: string;
  operation: string;
  target: string | null;
  args_json: string;
  outcome: "ok" | "error";
  error_kind: string | null;
  duration_ms: number;
  started_at: number;
  job_id: string | null;
}

/** Filters of an audit query; every given one must match. */
export interface AuditFilter {
  readonly actor?: string;
  readonly target?: string;
  readonly operation?: string;
  readonly outcome?: "ok" | "error";
  /** Started at or after. */
  readonly since?: Date;
  /** Started before. */
  readonly until?: Date;
  /** Only records older than this id (the page cursor). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** Appends to and reads the `operations` table. */
export interface OperationsRepository {
  append(record: AuditRecord): void;
  /** The latest records, newest first. */
  recent(limit: number): readonly StoredAuditRecord[];
  /** The records matching `filter`, newest first, at most `filter.limit`. */
  query(filter: AuditFilter): readonly StoredAuditRecord[];
}

/** Creates the audit repository over `db`. */
export function createOperationsRepository(db: VoxnixDatabase): OperationsRepository {
  const insert = db.sqlite.prepare(
    `INSERT INTO operations (actor, operation, target, args_json, outcome, error_kind, duration_ms, started_at, job_id)
     VALUES (@actor, @operation, @target, @args, @outcome, @errorKind, @durationMs, @startedAt, @jobId)`,
  );
  const recent = db.sqlite.prepare<[number], AuditRow>("SELECT * FROM operations ORDER BY id DESC LIMIT ?");
  // Fixed SQL with every filter optional (NULL matches all): values are always bound, never spliced.
  const filtered = db.sqlite.prepare<Record<string, string | number | null>, AuditRow>(
    `SELECT * FROM operations
     WHERE (@actor IS NULL OR actor = @actor)
       AND (@target IS NULL OR target = @target)
       AND (@operation IS NULL OR operation = @operation)
       AND (@outcome IS NULL OR outcome = @outcome)
       AND (@since IS NULL OR started_at >= @since)
       AND (@until IS NULL OR started_at < @until)
       AND (@beforeId IS NULL OR id < @beforeId)
     ORDER BY id DESC LIMIT @limit`,
  );
  const toStored = (row: AuditRow): StoredAuditRecord => ({
    id: row.id,
    actor: row.actor,
    operation: row.operation,
    ...(row.target === null ? {} : { target: row.target }),
    args: JSON.parse(row.args_json) as unknown,
    outcome: row.outcome,
    ...(row.error_kind === null ? {} : { errorKind: row.error_kind }),
    durationMs: row.duration_ms,
    startedAt: new Date(row.started_at),
    ...(row.job_id === null ? {} : { jobId: row.job_id }),
  });
  return {
    append: (record) => {
      insert.run({
        actor: record.actor,
        operation: record.operation,
        target: record.target ?? null,
        args: JSON.stringify(record.args ?? {}),
        outcome: record.outcome,
        errorKind: record.errorKind ?? null,
        durationMs: record.durationMs,
        startedAt: record.startedAt.getTime(),
        jobId: record.jobId ?? null,
      });
    },
    recent: (limit) => recent.all(limit).map(toStored),
    query: (filter) =>
      filtered
        .all({
          actor: filter.actor ?? null,
          target: filter.target ?? null,
          operation: filter.operation ?? null,
          outcome: filter.outcome ?? null,
          since: filter.since?.getTime() ?? null,
          until: filter.until?.getTime() ?? null,
          beforeId: filter.beforeId ?? null,
          limit: filter.limit,
        })
        .map(toStored),
  };
}
