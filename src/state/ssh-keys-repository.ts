/**
 * SSH public keys registered for the SSH gateway. The fingerprint is the primary key, so one
 * key can belong to one user only, whoever tries to add it again.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** A stored key. `publicKey` is the `type base64` line without its comment. */
export interface SshKeyRecord {
  readonly fingerprint: string;
  readonly userId: string;
  readonly algorithm: string;
  readonly publicKey: string;
  readonly bits: number;
  readonly comment?: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

interface SshKeyRow {
  fingerprint: string;
  user_id: string;
  algorithm: string;
  public_key: string;
  bits: number;
  comment: string | null;
  created_by: string;
  created_at: number;
}

/** Reads and writes the `ssh_keys` table. */
export interface SshKeysRepository {
  /** Inserts the key; returns false (and changes nothing) when its fingerprint is already registered. */
  insert(record: SshKeyRecord): boolean;
  get(fingerprint: string): SshKeyRecord | undefined;
  /** Every key (of `userId` when given), oldest first. */
  list(userId?: string): SshKeyRecord[];
  count(userId: string): number;
  /** Deletes the key; returns false when there was none. */
  remove(fingerprint: string): boolean;
}

function toRecord(row: SshKeyRow): SshKeyRecord {
  return {
    fingerprint: row.fingerprint,
    userId: row.user_id,
    algorithm: row.algorithm,
    publicKey: row.public_key,
    bits: row.bits,
    ...(row.comment === null ? {} : { comment: row.comment }),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

/** Creates the SSH keys repository over `db`. */
export function createSshKeysRepository(db: VoxnixDatabase): SshKeysRepository {
  const insert = db.sqlite.prepare(
    `INSERT INTO ssh_keys (fingerprint, user_id, algorithm, public_key, bits, comment, created_by, created_at)
     VALUES (@fingerprint, @userId, @algorithm, @publicKey, @bits, @comment, @createdBy, @createdAt) ON CONFLICT(fingerprint) DO NOTHING`,
  );
  const byFingerprint = db.sqlite.prepare<[string], SshKeyRow>("SELECT * FROM ssh_keys WHERE fingerprint = ?");
  const all = db.sqlite.prepare<[], SshKeyRow>("SELECT * FROM ssh_keys ORDER BY created_at, fingerprint");
  const ofUser = db.sqlite.prepare<[string], SshKeyRow>(
    "SELECT * FROM ssh_keys WHERE user_id = ? ORDER BY created_at, fingerprint",
  );
  const countOf = db.sqlite.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM ssh_keys WHERE user_id = ?");
  const remove = db.sqlite.prepare<[string]>("DELETE FROM ssh_keys WHERE fingerprint = ?");
  return {
    insert: (record) =>
      insert.run({ ...record, comment: record.comment ?? null, createdAt: record.createdAt.getTime() }).changes === 1,
    get: (fingerprint) => {
      const row = byFingerprint.get(fingerprint);
      return row ? toRecord(row) : undefined;
    },
    list: (userId) => (userId === undefined ? all.all() : ofUser.all(userId)).map(toRecord),
    count: (userId) => countOf.get(userId)?.n ?? 0,
    remove: (fingerprint) => remove.run(fingerprint).changes === 1,
  };
}
