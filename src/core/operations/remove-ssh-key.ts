/**
 * `removeSshKey`: unregisters a key by fingerprint; the gateway refuses it from the next
 * connection on. A key of someone else is reported exactly like an unknown one (an admin may
 * remove anyone's).
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { isSshFingerprint } from "../../domain/ssh-keys.js";
import type { RemoveSshKeyRequest, SshKeyView } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { keyOwner, toSshKeyView } from "../ssh-keys.js";

/** Removes the key `request.fingerprint` of `request.userId` (default: the caller). */
export function removeSshKey(services: CoreServices, actor: Actor, request: RemoveSshKeyRequest): Promise<SshKeyView> {
  const { context } = services;
  return runOperation(services, {
    operation: "removeSshKey",
    actor,
    args: { fingerprint: request?.fingerprint, ...(request?.userId === undefined ? {} : { userId: request.userId }) },
    validate: () => {
      const fingerprint = typeof request?.fingerprint === "string" ? request.fingerprint.trim() : request?.fingerprint;
      if (!isSshFingerprint(fingerprint)) {
        throw new InvalidInputError([
          {
            path: "fingerprint",
            message: 'A key fingerprint looks like "SHA256:" and 43 base64 characters (see `voxnix users key list`).',
          },
        ]);
      }
      return { fingerprint, userId: request.userId === undefined ? undefined : validateUserId(request.userId) };
    },
    run: async ({ user, input }) => {
      // Named owner first (a non-admin naming someone else is refused whatever the key), then the key.
      const owner = input.userId === undefined ? undefined : keyOwner(context, user, input.userId);
      const record = context.repos.sshKeys.get(input.fingerprint);
      const mayRemove =
        record !== undefined &&
        (owner === undefined ? record.userId === user.id || user.role === "admin" : record.userId === owner);
      if (!record || !mayRemove)
        throw new NotFoundError(
          "ssh-key",
          input.fingerprint,
          `There is no SSH key ${input.fingerprint} registered for you.`,
        );
      context.repos.sshKeys.remove(record.fingerprint);
      return toSshKeyView(record);
    },
  });
}
