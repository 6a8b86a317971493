/**
 * `createApiToken` (admins): a new bearer token for the HTTP API acting as one user. The
 * user is registered on first use like any first contact (pending unless allowlisted), so
 * an admin can hand out a token and approve its user separately.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { CreatedApiToken, Planned } from "../api.js";
import { generateApiToken, generateApiTokenId, hashApiToken, toApiTokenView } from "../api-tokens.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { resolveUser } from "../users.js";

/** Creates a token for `userId`; the secret is returned once and only its hash is kept. */
export function createApiToken(services: CoreServices, actor: Actor, userId: string): Promise<CreatedApiToken> {
  const { context } = services;
  return runOperation(services, {
    operation: "createApiToken",
    actor,
    args: { userId },
    validate: () => validateUserId(userId),
    run: async ({ user, input: id }) => {
      resolveUser(context, { userId: id });
      const token = generateApiToken();
      const record = {
        id: generateApiTokenId(),
        userId: id,
        tokenHash: hashApiToken(token),
        createdBy: user.id,
        createdAt: context.deps.clock.now(),
      };
      context.repos.apiTokens.insert(record);
      return { ...toApiTokenView(record), token };
    },
  });
}

/** The dry run of `createApiToken`: the same checks; no token is made and no user registered. */
export function planCreateApiToken(services: CoreServices, actor: Actor, userId: string): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "createApiToken",
    actor,
    args: { userId },
    dryRun: true,
    validate: () => validateUserId(userId),
    run: async ({ input: id }): Promise<Planned> => {
      const known = context.repos.users.get(id) !== undefined;
      return {
        type: "planned",
        plan: {
          operation: "createApiToken",
          user: id,
          steps: [
            ...(known ? [] : [`register ${id}, who has not contacted voxnix yet`]),
            `create an API token acting as ${id} and print it once`,
          ],
        },
      };
    },
  });
}
