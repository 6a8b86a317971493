/**
 * `startWebSession`: trades a login link for a web session. The link says who it is for; the
 * link's user is the actor, so policy applies as usual (a pending or denied user gets no
 * session) and the audit record names them. The link is marked used in the same statement
 * that checks it, so of two concurrent uses exactly one wins; a used, expired or unknown link
 * is "not found" and starts nothing.
 *
 * @module
 */
import { NotFoundError } from "../../domain/errors.js";
import { isUserId } from "../../domain/identity.js";
import type { StartedWebSession } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import {
  generateSessionId,
  generateSessionSecret,
  hashWebSecret,
  LOGIN_LINK_PATTERN,
  WEB_SESSION_TTL_MS,
} from "../web-sessions.js";

const linkGone = () =>
  new NotFoundError(
    "token",
    "login link",
    "This login link was already used or has expired. Ask for a new one (/web in Telegram).",
  );

/** Starts a session for the user of the link `token`. */
export async function startWebSession(services: CoreServices, token: string): Promise<StartedWebSession> {
  const { context } = services;
  if (typeof token !== "string" || !LOGIN_LINK_PATTERN.test(token)) throw linkGone();
  const tokenHash = hashWebSecret(token);
  const link = context.repos.webSessions.findLink(tokenHash);
  if (!link || !isUserId(link.userId)) throw linkGone();
  return runOperation(services, {
    operation: "startWebSession",
    actor: { userId: link.userId },
    validate: () => undefined,
    run: async ({ user }) => {
      const now = context.deps.clock.now();
      // The atomic single-use check: a replayed or expired link changes nothing.
      if (!context.repos.webSessions.useLink(tokenHash, now)) throw linkGone();
      const secret = generateSessionSecret();
      const session = {
        secretHash: hashWebSecret(secret),
        id: generateSessionId(),
        userId: user.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + WEB_SESSION_TTL_MS),
      };
      context.repos.webSessions.insertSession(session);
      return { id: session.id, userId: user.id, secret, expiresAt: session.expiresAt };
    },
  });
}
