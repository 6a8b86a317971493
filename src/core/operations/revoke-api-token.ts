/**
 * `revokeApiToken` (admins): a revoked token is refused from the next request on. Revoking
 * twice is a conflict, so a script learns it named the wrong token.
 *
 * @module
 */
import { ConflictError, InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { ApiTokenView } from "../api.js";
import { toApiTokenView } from "../api-tokens.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

const TOKEN_ID = /^tok_[0-9a-f]{12}$/;

/** Revokes the token `id`. */
export function revokeApiToken(services: CoreServices, actor: Actor, id: string): Promise<ApiTokenView> {
  const { context } = services;
  return runOperation(services, {
    operation: "revokeApiToken",
    actor,
    args: { id },
    validate: () => {
      if (typeof id !== "string" || !TOKEN_ID.test(id))
        throw new InvalidInputError([
          { path: "id", message: 'A token id looks like "tok_" and 12 hex digits (see `voxnix users token list`).' },
        ]);
      return id;
    },
    run: async ({ user, input }) => {
      const record = context.repos.apiTokens.get(input);
      if (!record) throw new NotFoundError("token", input, `There is no API token "${input}".`);
      const at = context.deps.clock.now();
      if (!context.repos.apiTokens.revoke(input, user.id, at))
        throw new ConflictError("wrong-state", `The API token "${input}" is already revoked.`);
      return toApiTokenView({ ...record, revokedAt: at, revokedBy: user.id });
    },
  });
}
