/**
 * `endWebSession`: logging out. Only the session's own user can end it (the secret comes
 * from their cookie); an unknown or already ended session is "not found".
 *
 * @module
 */
import { NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { hashWebSecret, WEB_SESSION_PATTERN } from "../web-sessions.js";

/** Ends the session `secret` of `actor`. */
export function endWebSession(services: CoreServices, actor: Actor, secret: string): Promise<{ readonly id: string }> {
  const { context } = services;
  const gone = () => new NotFoundError("token", "session", "There is no such session (it may have ended already).");
  const secretHash = typeof secret === "string" && WEB_SESSION_PATTERN.test(secret) ? hashWebSecret(secret) : undefined;
  const session = secretHash === undefined ? undefined : context.repos.webSessions.findSession(secretHash);
  return runOperation(services, {
    operation: "endWebSession",
    actor,
    // The public handle only, never the secret.
    args: { session: session?.id },
    validate: () => {
      if (secretHash === undefined) throw gone();
      return secretHash;
    },
    run: async ({ user, input }) => {
      if (!session || session.userId !== user.id) throw gone();
      if (!context.repos.webSessions.endSession(input, context.deps.clock.now())) throw gone();
      return { id: session.id };
    },
  });
}
