/**
 * `listApiTokens` (admins): every API token, or one user's, without their secrets.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ApiTokenView } from "../api.js";
import { toApiTokenView } from "../api-tokens.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Lists tokens, of `userId` when given. */
export function listApiTokens(services: CoreServices, actor: Actor, userId?: string): Promise<readonly ApiTokenView[]> {
  const { context } = services;
  return runOperation(services, {
    operation: "listApiTokens",
    actor,
    args: userId === undefined ? {} : { userId },
    validate: () => (userId === undefined ? undefined : validateUserId(userId)),
    run: async ({ input }) => context.repos.apiTokens.list(input).map(toApiTokenView),
  });
}
