/**
 * `reconcile` (admins): see `../reconcile.ts`.
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
    run: async () => reconcileAll(services.context, services.locks),
  });
}
