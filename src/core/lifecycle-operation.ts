/**
 * The shared shape of start, stop and restart: the operation table has already locked the
 * actor's workload and checked its state; change it on the host, record what the owner now
 * wants, return the live view. The dry run describes the same change and touches nothing.
 *
 * @module
 */
import type { Actor } from "../domain/identity.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { ImportedVmDetails, Planned, WorkloadView } from "./api.js";
import { importedRefusal, powerAllowed, powerImported } from "./imported-vms.js";
import { validateName } from "./inputs.js";
import { runOperation } from "./run-operation.js";
import type { CoreServices } from "./services.js";
import { currentView } from "./workload-access.js";

/** One lifecycle change and the state the owner wants afterwards. */
export interface LifecycleChange {
  readonly operation: "start" | "stop" | "restart";
  readonly desired: "running" | "stopped";
  readonly apply: (record: WorkloadRecord) => Promise<void>;
  /** What `apply` would do, in words, for the dry run. */
  readonly describe: (record: WorkloadRecord) => readonly string[];
  /** Set for start and stop, which an imported VM's entry may allow (`allowPowerControl`). */
  readonly importedPower?: "start" | "stop";
}

/** Why a lifecycle change happened when nobody asked for it directly (recorded in the audit). */
export type LifecycleReason = "idle" | "connect";

/**
 * Runs `change` on the actor's workload `name` through the usual validation, policy, lock and
 * audit; a start or stop also reaches an imported VM the actor may see, when its entry allows it.
 */
export function runLifecycleChange(
  services: CoreServices,
  actor: Actor,
  name: string,
  change: LifecycleChange,
  reason?: LifecycleReason,
): Promise<WorkloadView | ImportedVmDetails> {
  const { context } = services;
  return runOperation(services, {
    operation: change.operation,
    actor,
    args: reason === undefined ? { name } : { name, reason },
    validate: () => validateName(name),
    target: (validName) => validName,
    ...(change.importedPower === undefined
      ? {}
      : { imported: (entry, { user }) => powerImported(context, user, entry, change.importedPower!) }),
    run: async ({ workload }): Promise<WorkloadView | ImportedVmDetails> => {
      const record = workload!;
      await change.apply(record);
      context.repos.workloads.update(record.name, { desired: change.desired }, context.deps.clock.now());
      // A start begins a fresh idle period (and ends an idle stop).
      if (change.desired === "running") services.activity.record(record.name, "start");
      return currentView(context, record.name);
    },
  });
}

/** The dry run of `change`: the same checks, then the steps it would take. */
export function planLifecycleChange(
  services: CoreServices,
  actor: Actor,
  name: string,
  change: LifecycleChange,
): Promise<Planned> {
  return runOperation(services, {
    operation: change.operation,
    actor,
    args: { name },
    dryRun: true,
    validate: () => validateName(name),
    target: (validName) => validName,
    ...(change.importedPower === undefined
      ? {}
      : {
          imported: async (entry) => {
            if (!powerAllowed(services.context.deps.runtimes, entry))
              throw importedRefusal(entry, change.operation, false);
            const step = `${change.importedPower} the imported VM ${entry.name} (VMID ${entry.vmid}) on the cluster (allowPowerControl: true; already ${change.importedPower === "start" ? "running" : "stopped"} is fine)`;
            return {
              type: "planned" as const,
              plan: { operation: change.operation, workload: entry.name, steps: [step] },
            };
          },
        }),
    run: async ({ workload }) => ({
      type: "planned",
      plan: { operation: change.operation, workload: workload!.name, steps: change.describe(workload!) },
    }),
  });
}
