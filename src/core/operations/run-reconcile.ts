/**
 * `reconcile` (admins): see `../reconcile.ts`. The report includes what this process's
 * start-up recovery did, which otherwise only the log would tell.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { Planned, ReconcileReport } from "../api.js";
import { reconcileAll } from "../reconcile.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { listWorkloads } from "./list-workloads.js";

/** Reconciles recorded intent with the host. */
export function runReconcile(services: CoreServices, actor: Actor): Promise<ReconcileReport> {
  return runOperation(services, {
    operation: "reconcile",
    actor,
    validate: () => undefined,
    run: async () => {
      const report = await reconcileAll(services.context, services.locks);
      // Start-up recovery may already have done this process's work; say what it did.
      const startup = services.startup;
      if (!startup || (startup.recovered.length === 0 && startup.prunedSnapshots === 0 && startup.error === undefined))
        return report;
      return {
        ...report,
        atStartup: {
          recovered: startup.recovered,
          prunedSnapshots: startup.prunedSnapshots,
          ...(startup.error === undefined ? {} : { error: startup.error }),
        },
      };
    },
  });
}

/**
 * The dry run of `reconcile` (admins, like the real one): what the host and the records
 * disagree about now. Interrupted jobs are not listed: start-up recovery of this very process
 * has already handled them.
 */
export function planReconcile(services: CoreServices, actor: Actor): Promise<Planned> {
  return runOperation(services, {
    operation: "reconcile",
    actor,
    dryRun: true,
    validate: () => undefined,
    run: async (): Promise<Planned> => {
      const listed = await listWorkloads(services, actor);
      const missing = listed.workloads
        .filter((workload) => workload.live === "missing")
        .map((workload) => workload.name);
      const unmanaged = (listed.unmanaged ?? []).map((container) => container.name);
      return {
        type: "planned",
        plan: {
          operation: "reconcile",
          missing,
          unmanaged,
          steps: [
            ...missing.map((name) => `report ${name} as missing: it is recorded but the host no longer has it`),
            ...unmanaged.map((name) => `report ${name} as not managed by voxnix (left alone)`),
          ],
        },
      };
    },
  });
}
