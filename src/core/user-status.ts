/**
 * Changing a known user's status, shared by `approveUser` and `denyUser`. Admins cannot deny
 * themselves or the local administrator, which would lock everyone out. Denying (or revoking)
 * someone also stops their running workloads, keeping their data.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../domain/errors.js";
import type { Actor, UserId } from "../domain/identity.js";
import type { Planned, UserView } from "./api.js";
import type { CoreContext } from "./context.js";
import type { StoredUser } from "../state/users-repository.js";
import { validateUserId } from "./inputs.js";
import { runOperation } from "./run-operation.js";
import type { CoreServices } from "./services.js";
import { LOCAL_ADMIN } from "./users.js";
import { stopUserWorkloads } from "./stop-user-workloads.js";
import { toUserView } from "./views.js";

/** Runs `approveUser` (status active) or `denyUser` (status denied) for `userId`. */
export function setUserStatus(
  services: CoreServices,
  actor: Actor,
  userId: string,
  operation: "approveUser" | "denyUser",
): Promise<UserView> {
  const { context } = services;
  return runOperation(services, {
    operation,
    actor,
    args: { userId },
    validate: () => validateUserId(userId),
    run: async ({ user, input: id }) => {
      const target = statusTarget(context, user, id, operation);
      const status = operation === "approveUser" ? "active" : "denied";
      context.repos.users.update(id, { status, ...(operation === "approveUser" ? { approvedBy: user.id } : {}) });
      const view = toUserView({ ...target, status }, context.repos.workloads.usage(id).count);
      if (operation !== "denyUser") return view;
      // A denied user's containers must not keep running (and serving) on their behalf.
      const { stopped, failed } = await stopUserWorkloads(services, user.id, id);
      return { ...view, stoppedWorkloads: stopped, ...(failed.length > 0 ? { stopFailures: failed } : {}) };
    },
  });
}

/** The dry run of `approveUser` or `denyUser`: the same checks, and what would change. */
export function planUserStatus(
  services: CoreServices,
  actor: Actor,
  userId: string,
  operation: "approveUser" | "denyUser",
): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation,
    actor,
    args: { userId },
    dryRun: true,
    validate: () => validateUserId(userId),
    run: async ({ user, input: id }): Promise<Planned> => {
      const target = statusTarget(context, user, id, operation);
      const running = context.repos.workloads
        .listByOwner(target.id)
        .filter((record) => record.desired === "running")
        .map((record) => record.name);
      const steps =
        operation === "approveUser"
          ? [`approve ${id} (now ${target.status}): they can use voxnix`]
          : [
              `deny ${id} (now ${target.status}): they can no longer do anything`,
              ...running.map((name) => `stop ${name}, keeping it and its workspace`),
            ];
      return { type: "planned", plan: { operation, user: id, status: target.status, steps } };
    },
  });
}

/** The user a status change concerns; refuses an unknown one, and denying oneself or the local admin. */
function statusTarget(
  context: CoreContext,
  user: StoredUser,
  id: UserId,
  operation: "approveUser" | "denyUser",
): StoredUser {
  const target = context.repos.users.get(id);
  if (!target) throw new NotFoundError("user", id, `No user "${id}" has contacted voxnix yet.`);
  if (operation === "denyUser" && (id === user.id || id === LOCAL_ADMIN)) {
    throw new InvalidInputError([{ path: "userId", message: "You cannot deny yourself or the local administrator." }]);
  }
  return target;
}
