/**
 * `show`: the workload, its live details from the host and its workspace usage. Admins see
 * every backend fact; owners see them without host paths, process ids and cgroups. An imported
 * VM the actor may see is shown from its record and the cluster (`imported-vms.ts`).
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { ImportedVmDetails, WorkloadDetails } from "../api.js";
import { importedDetails } from "../imported-vms.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { tenantFacts, toWorkloadView } from "../views.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import { idleView } from "../idle-timers.js";

/** Shows the actor's workload `name`, or an imported VM assigned to them (any, for admins). */
export function showWorkload(
  services: CoreServices,
  actor: Actor,
  name: string,
): Promise<WorkloadDetails | ImportedVmDetails> {
  const { context } = services;
  return runOperation(services, {
    operation: "show",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    imported: (entry, { user }) => importedDetails(context, user, entry),
    run: async ({ user, workload }): Promise<WorkloadDetails | ImportedVmDetails> => {
      const record = workload!;
      const { storage, logger } = context.deps;
      const live = await runtimeForWorkload(context.deps.runtimes, record).show(record.spec.name);
      const usage = record.spec.workspace.enabled
        ? await storage.workspaceUsage(userStorageKey(record.owner), record.name).catch((error: unknown) => {
            logger.warn({ err: error, workload: record.name }, "Could not read workspace usage");
            return undefined;
          })
        : undefined;
      return {
        ...toWorkloadView(record, live),
        ...(live?.since ? { since: live.since } : {}),
        ...(live?.remoteAccess ? { remoteAccess: live.remoteAccess } : {}),
        ...(usage ? { storage: usage } : {}),
        // Host paths, pids and cgroups are for admins; the owner sees the rest.
        facts: user.role === "admin" ? (live?.facts ?? {}) : tenantFacts(live?.facts ?? {}),
        ...(record.status === "ready" ? { idle: idleView(context, record) } : {}),
      };
    },
  });
}
