/**
 * Pending confirmations of destructive operations. Only a SHA-256 of each token is stored,
 * so a leaked database cannot be used to confirm anything.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** A stored confirmation, looked up by the hash of its token. */
export interface ConfirmationRecord {
  readonly tokenHash: string;
  readonly actor: string;
  readonly workload: string;
  readonly planHash: string;
  readonly expiresAt: Date;
  readonly usedAt?: Date;
  /** What the token confirms: a destroy, or a change (whose stated request is kept with it). */
  readonly operation: "destroy" | "change";
  /** The change request as stated (JSON), for `change` confirmations. */
  readonly requestJson?: string;
}

interface ConfirmationRow {
  token_hash: string;
  actor: string;
  workload: string;
  plan_hash: string;
  expires_at: number;
  used_at: number | null;
  operation: "destroy" | "change";
  request_json: string | null;
}

/** Reads and writes the `confirmations` table. */
export interface ConfirmationsRepository {
  insert(
    record: Omit<ConfirmationRecord, "usedAt" | "operation"> & { readonly operation?: ConfirmationRecord["operation"] },
  ): void;
  get(tokenHash: string): ConfirmationRecord | undefined;
  /** Marks the token used; returns false when it already was (a concurrent replay). */
  markUsed(tokenHash: string, at: Date): boolean;
  /** Deletes confirmations that expired before `before`. */
  deleteExpired(before: Date): number;
}

/** Creates the confirmations repository over `db`. */
export function createConfirmationsRepository(db: VoxnixDatabase): ConfirmationsRepository {
  const insert = db.sqlite.prepare(
    "INSERT INTO confirmations (token_hash, actor, workload, plan_hash, expires_at, operation, request_json) VALUES (@tokenHash, @actor, @workload, @planHash, @expiresAt, @operation, @requestJson)",
  );
  const select = db.sqlite.prepare<[string], ConfirmationRow>("SELECT * FROM confirmations WHERE token_hash = ?");
  const use = db.sqlite.prepare<[number, string]>(
    "UPDATE confirmations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
  );
  const expire = db.sqlite.prepare<[number]>("DELETE FROM confirmations WHERE expires_at < ?");
  return {
    insert: (record) =>
      void insert.run({
        tokenHash: record.tokenHash,
        actor: record.actor,
        workload: record.workload,
        planHash: record.planHash,
        expiresAt: record.expiresAt.getTime(),
        operation: record.operation ?? "destroy",
        requestJson: record.requestJson ?? null,
      }),
    get: (tokenHash) => {
      const row = select.get(tokenHash);
      if (!row) return undefined;
      return {
        tokenHash: row.token_hash,
        actor: row.actor,
        workload: row.workload,
        planHash: row.plan_hash,
        expiresAt: new Date(row.expires_at),
        operation: row.operation,
        ...(row.request_json === null ? {} : { requestJson: row.request_json }),
        ...(row.used_at === null ? {} : { usedAt: new Date(row.used_at) }),
      };
    },
    markUsed: (tokenHash, at) => use.run(at.getTime(), tokenHash).changes === 1,
    deleteExpired: (before) => expire.run(before.getTime()).changes,
  };
}
