/**
 * Building a workload's current view with its live state (locking, state and access checks
 * happen in `run-operation`, driven by the operation table).
 *
 * @module
 */
import type { WorkloadView } from "./api.js";
import type { CoreContext } from "./context.js";
import { workloadNotFound } from "./policy.js";
import { toWorkloadView } from "./views.js";
import { runtimeForWorkload } from "./runtime-registry.js";

/** The workload's view with its live state from the host. */
export async function currentView(context: CoreContext, name: string): Promise<WorkloadView> {
  const record = context.repos.workloads.get(name);
  if (!record) throw workloadNotFound(name);
  const live = await runtimeForWorkload(context.deps.runtimes, record).show(record.spec.name);
  return toWorkloadView(record, live);
}
