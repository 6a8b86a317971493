/**
 * Secrets of the web dashboard: single-use login links and session cookies. Both are 32
 * random bytes (base64url) with a prefix that says what they are; only their SHA-256 is
 * stored, like API tokens. How long each lives is fixed here and documented in docs/web.md.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";

/** How long a login link works: long enough to open it on a phone, short enough to be useless later. */
export const LOGIN_LINK_TTL_MS = 10 * 60_000;
/** How long a web session lasts before its user needs a new link. */
export const WEB_SESSION_TTL_MS = 7 * 24 * 3_600_000;

/** A login link token: `vxl_` and 43 base64url characters. */
export const LOGIN_LINK_PATTERN = /^vxl_[A-Za-z0-9_-]{43}$/;
/** A session secret: `vxs_` and 43 base64url characters. */
export const WEB_SESSION_PATTERN = /^vxs_[A-Za-z0-9_-]{43}$/;

/** A new login link token. */
export function generateLoginLinkToken(): string {
  return `vxl_${randomBytes(32).toString("base64url")}`;
}

/** A new session secret (the cookie's value). */
export function generateSessionSecret(): string {
  return `vxs_${randomBytes(32).toString("base64url")}`;
}

/** A short public handle of a session, for audit records (not secret). */
export function generateSessionId(): string {
  return `ses_${randomBytes(6).toString("hex")}`;
}

/** The stored form of a link token or session secret. */
export function hashWebSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
