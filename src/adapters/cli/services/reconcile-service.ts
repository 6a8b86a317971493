/**
 * Periodic reconcile as a service: every `serve.reconcileMinutes` the local admin's reconcile
 * runs (crash recovery, missing workloads, expired snapshots and tokens), one at a time. A
 * failing round is logged and the next one runs as planned.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import { NEVER_FAILS, type Service } from "./service.js";

/** Starts the timer; the first round runs one interval after start (the core already recovers at start). */
export async function startReconcileService(app: App, intervalMs: number): Promise<Service> {
  const admin = { userId: "local:admin" } as const;
  let round: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    round = round.then(async () => {
      try {
        const report = await app.core.reconcile(admin);
        app.logger.info(
          {
            event: "reconcile",
            recovered: report.recovered.length,
            missing: report.missing.length,
            prunedSnapshots: report.prunedSnapshots,
          },
          "periodic reconcile",
        );
      } catch (error) {
        app.logger.warn({ err: error }, "periodic reconcile failed; trying again at the next interval");
      }
    });
  }, intervalMs);
  timer.unref();
  return {
    name: "reconcile",
    ready: `reconciling every ${Math.round(intervalMs / 60_000)} min`,
    failure: NEVER_FAILS,
    stop: async () => clearInterval(timer),
    settled: () => round,
  };
}
