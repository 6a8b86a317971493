/**
 * Changing a known user's status, shared by `approveUser` and `denyUser`. Admins cannot deny
 * themselves or the local administrator, which would lock everyone out. Denying (or revoking)
 * someone also stops their running workloads, keeping their data.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../domain/errors.js";
import type { Actor } from "../domain/identity.js";
import type { UserView } from "./api.js";
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
      const target = context.repos.users.get(id);
      if (!target) throw new NotFoundError("user", id, `No user "${id}" has contacted voxnix yet.`);
      if (operation === "denyUser" && (id === user.id || id === LOCAL_ADMIN)) {
        throw new InvalidInputError([
          { path: "userId", message: "You cannot deny yourself or the local administrator." },
        ]);
      }
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
