/**
 * `listSshKeys`: the caller's registered SSH keys; an admin may name any user, or list
 * everyone's with `all`. Keys are public, but listing them still follows ownership.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ListSshKeysRequest, SshKeyView } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { keyOwner, toSshKeyView } from "../ssh-keys.js";
import { ForbiddenError } from "../../domain/errors.js";

/** Lists keys of `request.userId` (default: the caller), or every key for an admin asking for `all`. */
export function listSshKeys(
  services: CoreServices,
  actor: Actor,
  request: ListSshKeysRequest = {},
): Promise<readonly SshKeyView[]> {
  const { context } = services;
  return runOperation(services, {
    operation: "listSshKeys",
    actor,
    args: {
      ...(request?.userId === undefined ? {} : { userId: request.userId }),
      ...(request?.all === true ? { all: true } : {}),
    },
    validate: () => ({
      userId: request?.userId === undefined ? undefined : validateUserId(request.userId),
      all: request?.all === true,
    }),
    run: async ({ user, input }) => {
      if (input.all) {
        if (user.role !== "admin")
          throw new ForbiddenError("admin-only", "Only an administrator can list everyone's SSH keys.");
        return context.repos.sshKeys.list().map(toSshKeyView);
      }
      return context.repos.sshKeys.list(keyOwner(context, user, input.userId)).map(toSshKeyView);
    },
  });
}
