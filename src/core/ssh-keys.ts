/**
 * Shared by the SSH key operations: the view shown to people, whose keys an actor may manage
 * (their own; an admin anyone's), and the per-user cap on registered keys.
 *
 * @module
 */
import { ForbiddenError } from "../domain/errors.js";
import type { UserId } from "../domain/identity.js";
import type { StoredUser } from "../state/users-repository.js";
import type { SshKeyRecord } from "../state/ssh-keys-repository.js";
import type { SshKeyView } from "./api.js";
import type { CoreContext } from "./context.js";
import { resolveUser } from "./users.js";

/** At most this many keys per person: enough for every device, too few to abuse. */
export const MAX_SSH_KEYS_PER_USER = 20;

/** The view of a stored key (public data only). */
export function toSshKeyView(record: SshKeyRecord): SshKeyView {
  return {
    fingerprint: record.fingerprint,
    userId: record.userId as UserId,
    algorithm: record.algorithm,
    bits: record.bits,
    ...(record.comment === undefined ? {} : { comment: record.comment }),
    createdBy: record.createdBy as UserId,
    createdAt: record.createdAt,
  };
}

/**
 * The user whose keys the operation concerns: the caller's own when `userId` is absent or
 * theirs; another user's only for an admin (registered on first use, like API tokens, unless
 * `register` is false: a dry run registers nobody).
 */
export function keyOwner(
  context: CoreContext,
  caller: StoredUser,
  userId: UserId | undefined,
  register = true,
): UserId {
  if (userId === undefined || userId === caller.id) return caller.id;
  if (caller.role !== "admin")
    throw new ForbiddenError("admin-only", "Only an administrator can manage other people's SSH keys.");
  return register ? resolveUser(context, { userId }).id : userId;
}
