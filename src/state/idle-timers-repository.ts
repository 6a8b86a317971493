/**
 * Idle timers: per workload its own timeout choice, its last activity, whether its owner was
 * warned and whether it was stopped for idleness. Kept in the database so a restart of voxnix
 * neither resets nor loses a timer; a row goes with its workload (`ON DELETE CASCADE`).
 *
 * @module
 */
import { ACTIVITY_KINDS, type ActivityKind, type OwnTimeout } from "../domain/idle.js";
import type { VoxnixDatabase } from "./database.js";

/** A workload's timer row. */
export interface IdleTimerRecord {
  readonly workload: string;
  /** The owner's own choice; undefined means the default applies. */
  readonly timeout: OwnTimeout;
  readonly lastActivityAt: Date;
  readonly lastActivityKind: ActivityKind;
  readonly warnedAt?: Date;
  /** Set when the timer stopped the workload; cleared by the next start. */
  readonly stoppedAt?: Date;
}

interface IdleTimerRow {
  workload: string;
  timeout_ms: number | null;
  last_activity_at: number;
  last_activity_kind: string;
  warned_at: number | null;
  stopped_at: number | null;
}

/** Reads and writes the `idle_timers` table. */
export interface IdleTimersRepository {
  get(workload: string): IdleTimerRecord | undefined;
  /** Records activity: moves the last activity, clears a warning (and an idle stop when the workload started). */
  recordActivity(workload: string, kind: ActivityKind, at: Date): void;
  /** Sets the workload's own timeout (`undefined`: back to the default). */
  setTimeout(workload: string, timeout: OwnTimeout, at: Date): void;
  markWarned(workload: string, at: Date): void;
  markStopped(workload: string, at: Date): void;
}

/** Creates the idle timers repository over `db`. */
export function createIdleTimersRepository(db: VoxnixDatabase): IdleTimersRepository {
  const sqlite = db.sqlite;
  const select = sqlite.prepare<[string], IdleTimerRow>("SELECT * FROM idle_timers WHERE workload = ?");
  const activity = sqlite.prepare(
    `INSERT INTO idle_timers (workload, last_activity_at, last_activity_kind) VALUES (@workload, @at, @kind)
     ON CONFLICT(workload) DO UPDATE SET last_activity_at = @at, last_activity_kind = @kind, warned_at = NULL,
       stopped_at = CASE WHEN @kind IN ('start', 'create') THEN NULL ELSE stopped_at END`,
  );
  const timeout = sqlite.prepare(
    `INSERT INTO idle_timers (workload, timeout_ms, last_activity_at, last_activity_kind) VALUES (@workload, @timeout, @at, 'keep')
     ON CONFLICT(workload) DO UPDATE SET timeout_ms = @timeout, last_activity_at = @at, last_activity_kind = 'keep', warned_at = NULL`,
  );
  const warned = sqlite.prepare("UPDATE idle_timers SET warned_at = @at WHERE workload = @workload");
  const stopped = sqlite.prepare(
    "UPDATE idle_timers SET stopped_at = @at, warned_at = NULL WHERE workload = @workload",
  );
  return {
    get: (workload) => {
      const row = select.get(workload);
      return row ? toRecord(row) : undefined;
    },
    recordActivity: (workload, kind, at) => void activity.run({ workload, kind, at: at.getTime() }),
    setTimeout: (workload, value, at) =>
      void timeout.run({
        workload,
        timeout: value === undefined ? null : value === "off" ? 0 : value,
        at: at.getTime(),
      }),
    markWarned: (workload, at) => void warned.run({ workload, at: at.getTime() }),
    markStopped: (workload, at) => void stopped.run({ workload, at: at.getTime() }),
  };
}

function toRecord(row: IdleTimerRow): IdleTimerRecord {
  const kind = (ACTIVITY_KINDS as readonly string[]).includes(row.last_activity_kind)
    ? (row.last_activity_kind as ActivityKind)
    : "keep";
  return {
    workload: row.workload,
    timeout: row.timeout_ms === null ? undefined : row.timeout_ms === 0 ? "off" : row.timeout_ms,
    lastActivityAt: new Date(row.last_activity_at),
    lastActivityKind: kind,
    ...(row.warned_at === null ? {} : { warnedAt: new Date(row.warned_at) }),
    ...(row.stopped_at === null ? {} : { stoppedAt: new Date(row.stopped_at) }),
  };
}
