/**
 * `addSshKey`: registers a public key for the SSH gateway, for the caller (Telegram
 * `/sshkey`) or, for an admin, for any user (`voxnix users key add`). The key is parsed and
 * checked before anything is stored; a key already registered (by anyone) is refused with
 * the same answer, so it cannot be moved or shared between people. Only the fingerprint is
 * audited, never the pasted text (which might be a private key by mistake).
 *
 * @module
 */
import { ConflictError, InvalidInputError, QuotaError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { formatSshPublicKey, parseSshPublicKey } from "../../domain/ssh-keys.js";
import type { AddSshKeyRequest, Planned, SshKeyView } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { MAX_SSH_KEYS_PER_USER, keyOwner, toSshKeyView } from "../ssh-keys.js";

/** Adds `request.publicKey` to the keys of `request.userId` (default: the caller). */
export function addSshKey(services: CoreServices, actor: Actor, request: AddSshKeyRequest): Promise<SshKeyView> {
  return addOrPlan(services, actor, request, false) as Promise<SshKeyView>;
}

/** The dry run of `addSshKey`: the same checks (the key, whose it is, the limit, taken); nothing stored. */
export function planAddSshKey(services: CoreServices, actor: Actor, request: AddSshKeyRequest): Promise<Planned> {
  return addOrPlan(services, actor, request, true) as Promise<Planned>;
}

function addOrPlan(
  services: CoreServices,
  actor: Actor,
  request: AddSshKeyRequest,
  dryRun: boolean,
): Promise<SshKeyView | Planned> {
  const { context } = services;
  const parsed = parseSshPublicKey(request?.publicKey);
  const args: Record<string, unknown> = {
    ...(request?.userId === undefined ? {} : { userId: request.userId }),
    ...(parsed.ok ? { fingerprint: parsed.key.fingerprint } : {}),
  };
  return runOperation(services, {
    operation: "addSshKey",
    actor,
    args,
    dryRun,
    validate: () => {
      const userId = request?.userId === undefined ? undefined : validateUserId(request.userId);
      if (!parsed.ok) throw new InvalidInputError([{ path: "publicKey", message: parsed.message }]);
      return { userId, key: parsed.key };
    },
    run: async ({ user, input }): Promise<SshKeyView | Planned> => {
      const owner = keyOwner(context, user, input.userId, !dryRun);
      if (context.repos.sshKeys.count(owner) >= MAX_SSH_KEYS_PER_USER) {
        throw new QuotaError("ssh-keys", `At most ${MAX_SSH_KEYS_PER_USER} SSH keys per person; remove one first.`);
      }
      const record = {
        fingerprint: input.key.fingerprint,
        userId: owner,
        algorithm: input.key.algorithm,
        publicKey: formatSshPublicKey(input.key),
        bits: input.key.bits,
        ...(input.key.comment === undefined ? {} : { comment: input.key.comment }),
        createdBy: user.id,
        createdAt: context.deps.clock.now(),
      };
      if (dryRun) {
        if (context.repos.sshKeys.get(record.fingerprint)) throw keyTaken(record.fingerprint);
        const steps = [`register the ${record.algorithm} key ${record.fingerprint} for ${owner}`];
        return {
          type: "planned",
          plan: { operation: "addSshKey", user: owner, fingerprint: record.fingerprint, steps },
        };
      }
      // One answer whether the key is this person's already or someone else's: it names no one.
      if (!context.repos.sshKeys.insert(record)) throw keyTaken(record.fingerprint);
      return toSshKeyView(record);
    },
  });
}

function keyTaken(fingerprint: string): ConflictError {
  return new ConflictError(
    "key-taken",
    `The key ${fingerprint} is already registered; each key can belong to one person only.`,
  );
}
