/**
 * Helpers shared by workload operations: taking the lock and re-reading the row under it,
 * state checks and building the current view.
 *
 * @module
 */
import { ConflictError } from "../domain/errors.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { WorkloadView } from "./api.js";
import type { CoreContext } from "./context.js";
import { workloadNotFound } from "./policy.js";
import type { OperationScope } from "./run-operation.js";
import { toWorkloadView } from "./views.js";
import { runtimeForWorkload } from "./runtime-registry.js";

/** Locks the scope's workload and returns its row as read under the lock. */
export function requireWorkload(context: CoreContext, scope: OperationScope<unknown>): WorkloadRecord {
  const loaded = scope.workload;
  if (!loaded) throw new Error("requireWorkload used by an operation without a workload");
  scope.lock(loaded.name);
  const current = context.repos.workloads.get(loaded.name);
  if (!current || current.owner !== loaded.owner) throw workloadNotFound(loaded.name);
  return current;
}

/** Throws `ConflictError('wrong-state')` unless the workload finished creating. */
export function requireReady(record: WorkloadRecord): void {
  if (record.status === "ready") return;
  const what =
    record.status === "creating" ? "is still being created" : record.status === "destroying" ? "is being destroyed" : "failed; destroy it and create it again";
  throw new ConflictError("wrong-state", `"${record.name}" ${what}.`);
}

/** The workload's view with its live state from the host. */
export async function currentView(context: CoreContext, name: string): Promise<WorkloadView> {
  const record = context.repos.workloads.get(name);
  if (!record) throw workloadNotFound(name);
  const live = await runtimeForWorkload(context.deps.runtimes, record).show(record.spec.name);
  return toWorkloadView(record, live);
}
