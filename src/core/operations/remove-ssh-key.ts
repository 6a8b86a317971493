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
import type { Planned, RemoveSshKeyRequest, SshKeyView } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { keyOwner, toSshKeyView } from "../ssh-keys.js";

/** Removes the key `request.fingerprint` of `request.userId` (default: the caller). */
export function removeSshKey(services: CoreServices, actor: Actor, request: RemoveSshKeyRequest): Promise<SshKeyView> {
  return removeOrPlan(services, actor, request, false) as Promise<SshKeyView>;
}

/** The dry run of `removeSshKey`: the same checks; the key stays. */
export function planRemoveSshKey(services: CoreServices, actor: Actor, request: RemoveSshKeyRequest): Promise<Planned> {
  return removeOrPlan(services, actor, request, true) as Promise<Planned>;
}

function removeOrPlan(
  services: CoreServices,
  actor: Actor,
  request: RemoveSshKeyRequest,
  dryRun: boolean,
): Promise<SshKeyView | Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "removeSshKey",
    actor,
    dryRun,
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
    run: async ({ user, input }): Promise<SshKeyView | Planned> => {
      // Named owner first (a non-admin naming someone else is refused whatever the key), then the key.
      const owner = input.userId === undefined ? undefined : keyOwner(context, user, input.userId, !dryRun);
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
      if (dryRun) {
        const steps = [`remove the key ${record.fingerprint} of ${record.userId}: the gateway refuses it from then on`];
        return {
          type: "planned",
          plan: { operation: "removeSshKey", user: record.userId, fingerprint: record.fingerprint, steps },
        };
      }
      context.repos.sshKeys.remove(record.fingerprint);
      return toSshKeyView(record);
    },
  });
}
