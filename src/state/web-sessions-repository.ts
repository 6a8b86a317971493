/**
 * Dashboard login links and web sessions. Both are bearer secrets handed to a browser, so
 * only a SHA-256 of each is stored: a leaked database can neither log in nor ride a session.
 * A link is used at most once (`used_at` is set in the same statement that checks it); a
 * session ends at its expiry or when its user logs out.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** A stored login link. */
export interface LoginLinkRecord {
  readonly tokenHash: string;
  readonly userId: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt?: Date;
}

/** A stored web session. `id` is a public handle for audit records; the secret's hash is the key. */
export interface WebSessionRecord {
  readonly secretHash: string;
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly endedAt?: Date;
}

interface LoginLinkRow {
  token_hash: string;
  user_id: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

interface WebSessionRow {
  secret_hash: string;
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

/** Reads and writes `login_links` and `web_sessions`. */
export interface WebSessionsRepository {
  insertLink(record: Omit<LoginLinkRecord, "usedAt">): void;
  findLink(tokenHash: string): LoginLinkRecord | undefined;
  /** Marks the link used if it is unused and unexpired at `at`; false when it was not (the atomic single-use check). */
  useLink(tokenHash: string, at: Date): boolean;
  insertSession(record: Omit<WebSessionRecord, "endedAt">): void;
  findSession(secretHash: string): WebSessionRecord | undefined;
  /** Ends the session; false when it had already ended. */
  endSession(secretHash: string, at: Date): boolean;
  /** Deletes links and sessions that expired or ended before `before`; returns how many rows went. */
  prune(before: Date): number;
}

function toLink(row: LoginLinkRow): LoginLinkRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    ...(row.used_at === null ? {} : { usedAt: new Date(row.used_at) }),
  };
}

function toSession(row: WebSessionRow): WebSessionRecord {
  return {
    secretHash: row.secret_hash,
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    ...(row.ended_at === null ? {} : { endedAt: new Date(row.ended_at) }),
  };
}

/** Creates the repository over `db`. */
export function createWebSessionsRepository(db: VoxnixDatabase): WebSessionsRepository {
  const insertLink = db.sqlite.prepare(
    "INSERT INTO login_links (token_hash, user_id, created_by, created_at, expires_at) VALUES (@tokenHash, @userId, @createdBy, @createdAt, @expiresAt)",
  );
  const linkByHash = db.sqlite.prepare<[string], LoginLinkRow>("SELECT * FROM login_links WHERE token_hash = ?");
  const useLink = db.sqlite.prepare<[number, string, number]>(
    "UPDATE login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
  );
  const insertSession = db.sqlite.prepare(
    "INSERT INTO web_sessions (secret_hash, id, user_id, created_at, expires_at) VALUES (@secretHash, @id, @userId, @createdAt, @expiresAt)",
  );
  const sessionByHash = db.sqlite.prepare<[string], WebSessionRow>("SELECT * FROM web_sessions WHERE secret_hash = ?");
  const endSession = db.sqlite.prepare<[number, string]>(
    "UPDATE web_sessions SET ended_at = ? WHERE secret_hash = ? AND ended_at IS NULL",
  );
  const pruneLinks = db.sqlite.prepare<[number]>("DELETE FROM login_links WHERE expires_at < ?");
  const pruneSessions = db.sqlite.prepare<[number, number]>(
    "DELETE FROM web_sessions WHERE expires_at < ? OR ended_at < ?",
  );
  return {
    insertLink: (record) =>
      void insertLink.run({ ...record, createdAt: record.createdAt.getTime(), expiresAt: record.expiresAt.getTime() }),
    findLink: (tokenHash) => {
      const row = linkByHash.get(tokenHash);
      return row ? toLink(row) : undefined;
    },
    useLink: (tokenHash, at) => useLink.run(at.getTime(), tokenHash, at.getTime()).changes === 1,
    insertSession: (record) =>
      void insertSession.run({
        ...record,
        createdAt: record.createdAt.getTime(),
        expiresAt: record.expiresAt.getTime(),
      }),
    findSession: (secretHash) => {
      const row = sessionByHash.get(secretHash);
      return row ? toSession(row) : undefined;
    },
    endSession: (secretHash, at) => endSession.run(at.getTime(), secretHash).changes === 1,
    prune: (before) =>
      pruneLinks.run(before.getTime()).changes + pruneSessions.run(before.getTime(), before.getTime()).changes,
  };
}
