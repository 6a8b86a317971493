/**
 * Cross-process workload locks: a row per locked workload naming the holder and its pid.
 * A lock whose pid is no longer alive was left by a crash and may be taken over.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** A lock row. */
export interface LockRecord {
  readonly name: string;
  readonly holder: string;
  readonly pid: number;
  readonly acquiredAt: Date;
}

/** Reads and writes the `workload_locks` table. */
export interface WorkloadLocksRepository {
  /**
   * Takes the lock for `holder` (pid `pid`) unless a live process holds it. `isAlive` decides
   * whether an existing holder (its pid and holder id) still runs. Returns false when the lock is held.
   */
  tryAcquire(name: string, holder: string, pid: number, at: Date, isAlive: HolderAlive): boolean;
  /** Releases the lock if `holder` holds it. */
  release(name: string, holder: string): void;
  get(name: string): LockRecord | undefined;
  /** Removes locks held by dead processes; returns how many. */
  clearStale(isAlive: HolderAlive): number;
}

/** Decides whether the process that recorded `pid` and `holder` is still running. */
export type HolderAlive = (pid: number, holder: string) => boolean;

/** Creates the locks repository over `db`. */
export function createWorkloadLocksRepository(db: VoxnixDatabase): WorkloadLocksRepository {
  const sqlite = db.sqlite;
  const select = sqlite.prepare<[string], { name: string; holder: string; pid: number; acquired_at: number }>(
    "SELECT * FROM workload_locks WHERE name = ?",
  );
  const all = sqlite.prepare<[], { name: string; pid: number; holder: string }>(
    "SELECT name, pid, holder FROM workload_locks",
  );
  const upsert = sqlite.prepare(
    `INSERT INTO workload_locks (name, holder, pid, acquired_at) VALUES (@name, @holder, @pid, @at)
     ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, acquired_at = excluded.acquired_at`,
  );
  const remove = sqlite.prepare<[string, string]>("DELETE FROM workload_locks WHERE name = ? AND holder = ?");
  const removeName = sqlite.prepare<[string]>("DELETE FROM workload_locks WHERE name = ?");
  return {
    tryAcquire: (name, holder, pid, at, isAlive) =>
      db.transaction(() => {
        const existing = select.get(name);
        if (existing && existing.holder !== holder && isAlive(existing.pid, existing.holder)) return false;
        upsert.run({ name, holder, pid, at: at.getTime() });
        return true;
      }),
    release: (name, holder) => void remove.run(name, holder),
    get: (name) => {
      const row = select.get(name);
      return row
        ? { name: row.name, holder: row.holder, pid: row.pid, acquiredAt: new Date(row.acquired_at) }
        : undefined;
    },
    clearStale: (isAlive) =>
      db.transaction(() => {
        let cleared = 0;
        for (const row of all.all()) {
          if (!isAlive(row.pid, row.holder)) cleared += removeName.run(row.name).changes;
        }
        return cleared;
      }),
  };
}
