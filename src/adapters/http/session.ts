/**
 * The dashboard's session cookie and its CSRF defences. A browser proves who it is with the
 * cookie a login link set (HttpOnly, SameSite=Strict, Secure behind TLS); scripts keep using
 * bearer tokens. A cookie is sent by the browser on its own, so every cookie-authenticated
 * request that changes something must also show that it comes from the dashboard itself:
 *
 * 1. its `Origin` is this server's (the request's own origin or `http.publicUrl`'s), or, when
 *    a browser sends no Origin, `Sec-Fetch-Site: same-origin`; and
 * 2. it carries the session's CSRF token in `X-CSRF-Token` (or a `csrf` form field). The token
 *    is a hash of the session secret, embedded in the dashboard page: another site can neither
 *    read the page nor compute it.
 *
 * WebSocket upgrades (the terminal) are GETs, which browsers send cross-site with the cookie
 * (SameSite aside), so they get the Origin check too.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** The cookie's name. */
export const SESSION_COOKIE = "voxnix_session";
/** The header carrying the CSRF token. */
export const CSRF_HEADER = "x-csrf-token";

/** The CSRF token of the session whose secret is `secret` (base64url SHA-256; reveals nothing of the secret). */
export function csrfTokenFor(secret: string): string {
  return createHash("sha256").update(`voxnix-csrf\0${secret}`, "utf8").digest("base64url");
}

/** True when `presented` is the CSRF token of `secret` (constant time). */
export function isValidCsrfToken(secret: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The session secret from the request's cookie, if any. */
export function readSessionCookie(context: Context): string | undefined {
  return getCookie(context, SESSION_COOKIE);
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when `secure`, expiring with the session. */
export function writeSessionCookie(context: Context, secret: string, expiresAt: Date, secure: boolean): void {
  setCookie(context, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: "Strict",
    secure,
    path: "/",
    expires: expiresAt,
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(context: Context, secure: boolean): void {
  deleteCookie(context, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Strict" });
}

/** Methods that never change anything (and so need no CSRF token). */
export function isSafeMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/** The origins this server answers as: the request's own and, when configured, `http.publicUrl`'s. */
export function ownOrigins(context: Context, publicUrl: string | undefined): string[] {
  const origins = [new URL(context.req.url).origin];
  if (publicUrl) origins.push(new URL(publicUrl).origin);
  return origins;
}

/**
 * True when the request comes from a page of this server: its `Origin` is one of ours, or it
 * has no Origin and says `Sec-Fetch-Site: same-origin`. A request with neither is refused: a
 * browser sends one or the other on every request that could be forged.
 */
export function isSameOrigin(context: Context, publicUrl: string | undefined): boolean {
  const origin = context.req.header("origin");
  if (origin !== undefined) return ownOrigins(context, publicUrl).includes(origin);
  return context.req.header("sec-fetch-site") === "same-origin";
}

/** True when cookies must be `Secure`: the server speaks TLS, or its public URL is https. */
export function needsSecureCookies(options: {
  readonly tls: boolean;
  readonly publicUrl?: string | undefined;
}): boolean {
  return options.tls || (options.publicUrl?.startsWith("https://") ?? false);
}
