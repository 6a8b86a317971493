/**
 * Who may do what, driven by the `OPERATIONS` table: pending users may only ask who they
 * are, denied users nothing, host operations need an admin, and workload operations need
 * the owner or an admin, where "not yours" looks exactly like "not found".
 *
 * @module
 */
import { ForbiddenError, NotFoundError } from "../domain/errors.js";
import type { User } from "../domain/identity.js";
import { OPERATIONS, type OperationName } from "../domain/operations.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";

/** Operations a pending (not yet approved) user may call. */
export const PENDING_ALLOWED: ReadonlySet<OperationName> = new Set<OperationName>(["whoami", "listAdmins"]);

/** Throws `ForbiddenError` unless `user` may call `operation` at all. */
export function authorize(operation: OperationName, user: User): void {
  if (user.status === "denied") {
    throw new ForbiddenError("denied", "An administrator has turned off your access to voxnix.");
  }
  if (user.status === "pending" && !PENDING_ALLOWED.has(operation)) {
    throw new ForbiddenError(
      "pending",
      "Your account is waiting for an administrator's approval. You will be able to use voxnix once they approve it.",
    );
  }
  if (OPERATIONS[operation].scope === "host" && user.role !== "admin") {
    throw new ForbiddenError("admin-only", "Only an administrator can do that.");
  }
}

/** True when `user` may see and touch the workload `record`. */
export function canAccess(user: User, record: WorkloadRecord): boolean {
  return user.role === "admin" || record.owner === user.id;
}

/** The one answer for both "missing" and "someone else's", so names never leak. */
export function workloadNotFound(name: string): NotFoundError {
  return new NotFoundError("workload", name, `You have no workload called "${name}".`);
}
