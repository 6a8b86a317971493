/**
 * `createLoginLink`: a single-use dashboard login link for the caller, valid for minutes.
 * It is always for the actor itself (Telegram's `/web` for that Telegram user, `voxnix web
 * link --as USER` on the host), so nobody can mint a link into someone else's dashboard.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { LoginLink } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { generateLoginLinkToken, hashWebSecret, LOGIN_LINK_TTL_MS } from "../web-sessions.js";

/** Creates a link for `actor`; the token is returned once and only its hash is kept. */
export function createLoginLink(services: CoreServices, actor: Actor): Promise<LoginLink> {
  const { context } = services;
  return runOperation(services, {
    operation: "createLoginLink",
    actor,
    validate: () => undefined,
    run: async ({ user }) => {
      const token = generateLoginLinkToken();
      const now = context.deps.clock.now();
      const expiresAt = new Date(now.getTime() + LOGIN_LINK_TTL_MS);
      context.repos.webSessions.prune(now);
      context.repos.webSessions.insertLink({
        tokenHash: hashWebSecret(token),
        userId: user.id,
        createdBy: user.id,
        createdAt: now,
        expiresAt,
      });
      return { userId: user.id, token, expiresAt };
    },
  });
}
