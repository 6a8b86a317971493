/**
 * `approveUser` and `denyUser` (admins): change a known user's status. Admins cannot deny
 * themselves or the local administrator, which would lock everyone out.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { UserView } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { LOCAL_ADMIN } from "../users.js";
import { toUserView } from "../views.js";

/** Approves `userId`, making them active. */
export function approveUser(services: CoreServices, actor: Actor, userId: string): Promise<UserView> {
  return setUserStatus(services, actor, userId, "approveUser");
}

/** Denies `userId`, refusing them everything. */
export function denyUser(services: CoreServices, actor: Actor, userId: string): Promise<UserView> {
  return setUserStatus(services, actor, userId, "denyUser");
}

function setUserStatus(services: CoreServices, actor: Actor, userId: string, operation: "approveUser" | "denyUser"): Promise<UserView> {
  const { context } = services;
  return runOperation(services, {
    operation,
    actor,
    args: { userId },
    validate: () => validateUserId(userId),
    run: async ({ user, input: id }) => {
      const target = context.repos.users.get(id);
      if (!target) throw new NotFoundError("user", id, `No user "${id}" has contacted voxnix yet.`);
      if (operation === "denyUser" && (id === user.id || id === LOCAL_ADMIN)) {
        throw new InvalidInputError([{ path: "userId", message: "You cannot deny yourself or the local administrator." }]);
      }
      const status = operation === "approveUser" ? "active" : "denied";
      context.repos.users.update(id, { status, ...(operation === "approveUser" ? { approvedBy: user.id } : {}) });
      return toUserView({ ...target, status }, context.repos.workloads.usage(id).count);
    },
  });
}
