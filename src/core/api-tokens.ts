/**
 * API token secrets: generation (`vx_` + 32 random bytes, base64url), hashing (SHA-256, the
 * only form stored) and the view shown to admins. Used by the token operations and by
 * `authenticateToken`.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import type { UserId } from "../domain/identity.js";
import type { ApiTokenRecord } from "../state/api-tokens-repository.js";
import type { ApiTokenView } from "./api.js";

/** Every API token starts with this, so leaked ones are easy to recognise (and to scan for). */
export const API_TOKEN_PREFIX = "vx_";

/** The shape of a well-formed token: the prefix and 43 base64url characters (32 bytes). */
export const API_TOKEN_PATTERN = /^vx_[A-Za-z0-9_-]{43}$/;

/** A new random token secret. */
export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** A short random id naming a token in lists and in `revoke` (not secret). */
export function generateApiTokenId(): string {
  return `tok_${randomBytes(6).toString("hex")}`;
}

/** The stored form of a token secret. */
export function hashApiToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The admin-facing view of a stored token. */
export function toApiTokenView(record: ApiTokenRecord): ApiTokenView {
  return {
    id: record.id,
    userId: record.userId as UserId,
    createdBy: record.createdBy as UserId,
    createdAt: record.createdAt,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
  };
}
