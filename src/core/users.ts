/**
 * Resolving the actor to a user: first contact registers them, with role and status from
 * configuration (`local:admin` and configured admins are active admins, the allowlist is
 * admitted, everyone else waits for approval).
 *
 * @module
 */
import { InvalidInputError } from "../domain/errors.js";
import { isUserId, type Actor, type User, type UserId } from "../domain/identity.js";
import type { StoredUser } from "../state/users-repository.js";
import type { CoreContext } from "./context.js";

/** The local shell's administrator, always an active admin. */
export const LOCAL_ADMIN: UserId = "local:admin";

/** Throws `InvalidInputError` unless the actor carries a well-formed user id. */
export function validateActor(actor: Actor): UserId {
  if (!actor || !isUserId(actor.userId)) {
    throw new InvalidInputError([
      { path: "actor", message: 'The caller is not a valid user id (like "telegram:123" or "local:admin").' },
    ]);
  }
  return actor.userId;
}

/** Loads the actor's user, registering them on first contact and applying configured admin rights. */
export function resolveUser(context: CoreContext, actor: Actor): StoredUser {
  const { repos, deps } = context;
  const id = validateActor(actor);
  const configuredAdmin = id === LOCAL_ADMIN || deps.policy.admins.includes(id);
  const existing = repos.users.get(id);
  if (!existing) {
    const user: User = {
      id,
      role: configuredAdmin ? "admin" : "user",
      status: configuredAdmin || deps.policy.allowlist.includes(id) ? "active" : "pending",
      limits: deps.policy.defaultLimits,
      ...(actor.displayName ? { displayName: actor.displayName.slice(0, 100) } : {}),
      createdAt: deps.clock.now(),
    };
    repos.users.insert(user);
    return user;
  }
  // Configuration wins for admins: an admin listed in the config is always an active admin.
  if (configuredAdmin && (existing.role !== "admin" || existing.status !== "active")) {
    repos.users.update(id, { role: "admin", status: "active" });
    return { ...existing, role: "admin", status: "active" };
  }
  if (existing.status === "pending" && deps.policy.allowlist.includes(id)) {
    repos.users.update(id, { status: "active" });
    return { ...existing, status: "active" };
  }
  // People rename themselves on Telegram; keep the informational name current (a write only on change).
  const displayName = actor.displayName?.slice(0, 100);
  if (displayName && displayName !== existing.displayName) {
    repos.users.update(id, { displayName });
    return { ...existing, displayName };
  }
  return existing;
}
