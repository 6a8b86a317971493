/**
 * `reconcile` (admins): see `../reconcile.ts`. The report includes what this process's
 * start-up recovery did, which otherwise only the log would tell.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ReconcileReport } from "../api.js";
import { reconcileAll } from "../reconcile.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

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
