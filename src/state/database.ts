/**
 * The embedded database: one SQLite file under the state directory, opened in WAL mode with
 * foreign keys and a busy timeout, migrated to the latest schema version on open.
 *
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";

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
