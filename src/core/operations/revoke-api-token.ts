/**
 * `revokeApiToken` (admins): a revoked token is refused from the next request on. Revoking
 * twice is a conflict, so a script learns it named the wrong token.
 *
 * @module
 */
import { ConflictError, InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { ApiTokenView, Planned } from "../api.js";
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
    validate: () => validateTokenId(id),
    run: async ({ user, input }) => {
      const record = revocable(services, input);
      const at = context.deps.clock.now();
      if (!context.repos.apiTokens.revoke(input, user.id, at))
        throw new ConflictError("wrong-state", `The API token "${input}" is already revoked.`);
      return toApiTokenView({ ...record, revokedAt: at, revokedBy: user.id });
    },
  });
}

/** The dry run of `revokeApiToken`: the same checks (a known token, not yet revoked), nothing revoked. */
export function planRevokeApiToken(services: CoreServices, actor: Actor, id: string): Promise<Planned> {
  return runOperation(services, {
    operation: "revokeApiToken",
    actor,
    args: { id },
    dryRun: true,
    validate: () => validateTokenId(id),
    run: async ({ input }): Promise<Planned> => {
      const record = revocable(services, input);
      return {
        type: "planned",
        plan: {
          operation: "revokeApiToken",
          token: input,
          user: record.userId,
          steps: [`revoke ${input} of ${record.userId}: requests with it are refused from then on`],
        },
      };
    },
  });
}

function validateTokenId(id: unknown): string {
  if (typeof id !== "string" || !TOKEN_ID.test(id))
    throw new InvalidInputError([
      { path: "id", message: 'A token id looks like "tok_" and 12 hex digits (see `voxnix users token list`).' },
    ]);
  return id;
}

/** The token `id`, refused when unknown or already revoked. */
function revocable(services: CoreServices, id: string) {
  const record = services.context.repos.apiTokens.get(id);
  if (!record) throw new NotFoundError("token", id, `There is no API token "${id}".`);
  if (record.revokedAt) throw new ConflictError("wrong-state", `The API token "${id}" is already revoked.`);
  return record;
}
