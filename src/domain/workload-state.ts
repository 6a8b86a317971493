/**
 * The one state machine of a workload as voxnix records it (intent, not what the host says):
 *
 *   creating ──► ready ──► destroying ──► (gone; a snapshot may remain for restore)
 *      │                      ▲
 *      └──► failed ───────────┘
 *
 * Which operations each state admits is a column of the operation table
 * (`domain/operations.ts`); `run-operation` checks it, so no operation file repeats it.
 *
 * @module
 */
import { ConflictError } from "./errors.js";

/** Lifecycle of a workload as recorded by voxnix. */
export type WorkloadStatus = "creating" | "ready" | "destroying" | "failed";

export const WORKLOAD_STATUSES: readonly WorkloadStatus[] = ["creating", "ready", "destroying", "failed"];

/** What the owner last asked for. */
export type DesiredState = "running" | "stopped";

/** Why a workload in `status` cannot take an operation, in words. */
const BLOCKED: Readonly<Record<WorkloadStatus, string>> = {
  creating: "is still being created",
  ready: "is ready",
  destroying: "is being destroyed",
  failed: "failed; destroy it and create it again",
};

/** Throws `ConflictError('wrong-state')` unless `status` is one of `allowed`. */
export function requireStatus(name: string, status: WorkloadStatus, allowed: readonly WorkloadStatus[]): void {
  if (allowed.includes(status)) return;
  throw new ConflictError("wrong-state", `"${name}" ${BLOCKED[status]}.`);
}
