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
  // One prepared statement per combination of filters in use (at most 2^7), made on first use.
  const prepare = (sql: string) => db.sqlite.prepare<Record<string, string | number>, AuditRow>(sql);
  const statements = new Map<string, ReturnType<typeof prepare>>();
  const filtered = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
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
    query: (filter) => {
      const { sql, params } = auditQuery(filter);
      return filtered(sql).all(params).map(toStored);
    },
  };
}

/**
 * The SQL and parameters of an audit query. Only the conditions of the filters given are in
 * the text (fixed fragments; every value is a bound parameter, never spliced), so SQLite can
 * use the column's index (migration 11): `(@actor IS NULL OR actor = @actor)` would make it
 * read the whole table. Exported for the query-plan test.
 */
export function auditQuery(filter: AuditFilter): {
  readonly sql: string;
  readonly params: Record<string, string | number>;
} {
  const conditions: string[] = [];
  const params: Record<string, string | number> = { limit: filter.limit };
  const add = (name: string, condition: string, value: string | number | undefined) => {
    if (value === undefined) return;
    conditions.push(condition);
    params[name] = value;
  };
  add("actor", "actor = @actor", filter.actor);
  add("target", "target = @target", filter.target);
  add("operation", "operation = @operation", filter.operation);
  add("outcome", "outcome = @outcome", filter.outcome);
  add("since", "started_at >= @since", filter.since?.getTime());
  add("until", "started_at < @until", filter.until?.getTime());
  add("beforeId", "id < @beforeId", filter.beforeId);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
  return { sql: `SELECT * FROM operations${where} ORDER BY id DESC LIMIT @limit`, params };
}
