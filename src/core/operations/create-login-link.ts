/**
 * `createLoginLink`: a single-use dashboard login link for the caller, valid for minutes.
 * It is always for the actor itself (Telegram's `/web` for that Telegram user, `voxnix web
 * link --as USER` on the host), so nobody can mint a link into someone else's dashboard.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { LoginLink, Planned } from "../api.js";
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

/** The dry run of `createLoginLink`: the same checks (an approved user); no link is made. */
export function planCreateLoginLink(services: CoreServices, actor: Actor): Promise<Planned> {
  return runOperation(services, {
    operation: "createLoginLink",
    actor,
    dryRun: true,
    validate: () => undefined,
    run: async ({ user }): Promise<Planned> => {
      const minutes = Math.round(LOGIN_LINK_TTL_MS / 60_000);
      const steps = [`create a single-use login link to the dashboard for ${user.id}, valid ${minutes} minutes`];
      return { type: "planned", plan: { operation: "createLoginLink", user: user.id, steps } };
    },
  });
}
