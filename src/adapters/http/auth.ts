/**
 * Bearer-token authentication: the only source of identity for the HTTP API. The actor is
 * the token's user, looked up through the core (which stores only SHA-256 hashes); request
 * bodies, queries and other headers never name the caller.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import { HttpProblem } from "./errors.js";

/** The variables the middleware sets on the request context. */
export interface AuthVariables {
  /** Who is asking: the user of the request's API token. */
  readonly actor: Actor;
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** Refuses requests without a valid, unrevoked `Authorization: Bearer vx_…` token (401), else sets `actor`. */
export function bearerAuth(core: Pick<Core, "authenticateToken">): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authenticate(context, next) {
    const header = context.req.header("authorization") ?? "";
    const match = BEARER.exec(header);
    const actor = match?.[1] === undefined ? undefined : core.authenticateToken(match[1]);
    if (!actor) {
      const message = header === "" ? "This API needs an API token: send `Authorization: Bearer vx_…` (an admin creates one with `voxnix users token create`)." : "The API token is unknown or revoked.";
      throw new HttpProblem("unauthorized", 401, message, {}, { "www-authenticate": 'Bearer realm="voxnix"' });
    }
    context.set("actor", actor);
    await next();
  };
}
