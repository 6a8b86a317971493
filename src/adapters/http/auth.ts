/**
 * Authentication: the only source of identity for the HTTP API and the dashboard. A request
 * is either a script's (`Authorization: Bearer vx_…`, an API token whose SHA-256 the core
 * stores) or a browser's (the session cookie a login link set, see `session.ts`). Request
 * bodies, queries and other headers never name the caller. A bearer token wins over a cookie
 * and is never asked for a CSRF token; a cookie-authenticated request that changes anything
 * must come from the dashboard (Origin and CSRF token).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import { HttpProblem } from "./errors.js";
import { CSRF_HEADER, isSafeMethod, isSameOrigin, isValidCsrfToken, readSessionCookie } from "./session.js";

/** The variables the middleware sets on the request context. */
export interface AuthVariables {
  /** Who is asking: the user of the request's API token or session cookie. */
  readonly actor: Actor;
  /** Set when the caller is a browser session (absent for API tokens). */
  readonly session?: { readonly secret: string; readonly id: string };
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** What `authenticate` needs. */
export interface AuthOptions {
  /** `http.publicUrl`, an origin the dashboard may be served under (behind a proxy). */
  readonly publicUrl?: string | undefined;
}

/**
 * Refuses requests without a valid API token or session cookie (401), and cookie-authenticated
 * requests that change something without proof of coming from the dashboard (403); else sets
 * `actor` (and `session`).
 */
export function authenticate(
  core: Pick<Core, "authenticateToken" | "authenticateSession">,
  options: AuthOptions = {},
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authenticateRequest(context, next) {
    const header = context.req.header("authorization");
    if (header !== undefined) {
      const match = BEARER.exec(header);
      const actor = match?.[1] === undefined ? undefined : core.authenticateToken(match[1]);
      if (!actor)
        throw new HttpProblem(
          "unauthorized",
          401,
          header === "" ? missingMessage : "The API token is unknown or revoked.",
          {},
          { "www-authenticate": 'Bearer realm="voxnix"' },
        );
      context.set("actor", actor);
      return next();
    }
    const secret = readSessionCookie(context);
    const identity = secret === undefined ? undefined : core.authenticateSession(secret);
    if (!identity || secret === undefined) {
      const message =
        secret === undefined
          ? missingMessage
          : "Your dashboard session has ended; open a new login link (/web in Telegram).";
      throw new HttpProblem("unauthorized", 401, message, {}, { "www-authenticate": 'Bearer realm="voxnix"' });
    }
    if (!isSafeMethod(context.req.method)) {
      if (!isSameOrigin(context, options.publicUrl))
        throw new HttpProblem(
          "forbidden",
          403,
          "Cross-site request refused: this request did not come from the voxnix dashboard.",
        );
      if (!isValidCsrfToken(secret, context.req.header(CSRF_HEADER)))
        throw new HttpProblem("forbidden", 403, "The request lacks the dashboard's CSRF token; reload the page.");
    }
    context.set("actor", identity.actor);
    context.set("session", { secret, id: identity.sessionId });
    return next();
  };
}

const missingMessage =
  "This API needs an API token: send `Authorization: Bearer vx_…` (an admin creates one with `voxnix users token create`).";
