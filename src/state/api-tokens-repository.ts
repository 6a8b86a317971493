/**
 * API tokens for the HTTP API. Only a SHA-256 of each token is stored, so a leaked database
 * cannot be used to call the API; the token itself is shown once, when it is created.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** A stored token: who it acts for, who made it, and whether it was revoked. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly tokenHash: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  readonly revokedBy?: string;
}

interface ApiTokenRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** Reads and writes the `api_tokens` table. */
export interface ApiTokensRepository {
  insert(record: Omit<ApiTokenRecord, "revokedAt" | "revokedBy">): void;
  get(id: string): ApiTokenRecord | undefined;
  /** The token with this hash, revoked or not. */
  findByHash(tokenHash: string): ApiTokenRecord | undefined;
  /** Every token (of `userId` when given), oldest first. */
  list(userId?: string): ApiTokenRecord[];
  /** Marks the token revoked; returns false when it already was. */
  revoke(id: string, by: string, at: Date): boolean;
}

function toRecord(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    ...(row.revoked_at === null ? {} : { revokedAt: new Date(row.revoked_at) }),
    ...(row.revoked_by === null ? {} : { revokedBy: row.revoked_by }),
  };
}

/** Creates the API tokens repository over `db`. */
export function createApiTokensRepository(db: VoxnixDatabase): ApiTokensRepository {
  const insert = db.sqlite.prepare(
    "INSERT INTO api_tokens (id, user_id, token_hash, created_by, created_at) VALUES (@id, @userId, @tokenHash, @createdBy, @createdAt)",
  );
  const byId = db.sqlite.prepare<[string], ApiTokenRow>("SELECT * FROM api_tokens WHERE id = ?");
  const byHash = db.sqlite.prepare<[string], ApiTokenRow>("SELECT * FROM api_tokens WHERE token_hash = ?");
  const all = db.sqlite.prepare<[], ApiTokenRow>("SELECT * FROM api_tokens ORDER BY created_at, id");
  const ofUser = db.sqlite.prepare<[string], ApiTokenRow>(
    "SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at, id",
  );
  const revoke = db.sqlite.prepare<[number, string, string]>(
    "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
  );
  return {
    insert: (record) => void insert.run({ ...record, createdAt: record.createdAt.getTime() }),
    get: (id) => {
      const row = byId.get(id);
      return row ? toRecord(row) : undefined;
    },
    findByHash: (tokenHash) => {
      const row = byHash.get(tokenHash);
      return row ? toRecord(row) : undefined;
    },
    list: (userId) => (userId === undefined ? all.all() : ofUser.all(userId)).map(toRecord),
    revoke: (id, by, at) => revoke.run(at.getTime(), by, id).changes === 1,
  };
}
