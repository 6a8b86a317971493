/**
 * The embedded database: one SQLite file under the state directory, opened in WAL mode with
 * foreign keys and a busy timeout, migrated to the latest schema version on open.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { migrate } from "./migrations.js";

/** An open, migrated voxnix database. */
export interface VoxnixDatabase {
  /** The underlying better-sqlite3 handle, for repositories. */
  readonly sqlite: BetterSqlite3.Database;
  /** File path, or `:memory:`. */
  readonly path: string;
  /** Runs `work` in one immediate transaction. */
  transaction<T>(work: () => T): T;
  close(): void;
}

/** Options for `openDatabase`; tests use `schemaVersion` to create old databases. */
export interface OpenDatabaseOptions {
  /** Migrate only up to this version (default: latest). */
  readonly schemaVersion?: number;
  /** How long a writer waits for another process's lock, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the database at `path` (or `:memory:`), sets WAL, foreign keys
 * and a busy timeout, and migrates it. The parent directory is created with mode 0700.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): VoxnixDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path);
  try {
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    migrate(sqlite, options.schemaVersion);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return {
    sqlite,
    path,
    transaction: <T>(work: () => T): T => sqlite.transaction(work).immediate(),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
