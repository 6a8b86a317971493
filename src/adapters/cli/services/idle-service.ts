/**
 * The inactivity timers as a service: every `idle.checkEverySeconds` one round of the core's
 * timers runs (warn owners, stop what has been idle too long), one round at a time. The rules
 * live in the core (`core/idle-timers.ts`, `domain/idle.ts`); this only keeps time. A failing
 * round is logged and the next one runs as planned.
 *
 * @module
 */
import type { App } from "../../../app/app.js";
import { NEVER_FAILS, type Service } from "./service.js";

/** Starts the timer; the first round runs one interval after start. */
export async function startIdleService(app: App, intervalMs: number): Promise<Service> {
  let round: Promise<void> = Promise.resolve();
  let running = false;
  const timer = setInterval(() => {
    // A slow round (a stop that takes a while) is not stacked up behind by the next ticks.
    if (running) return;
    running = true;
    round = app.core
      .idleTick()
      .then(
        (report) => {
          if (report.failed.length > 0)
            app.logger.warn(
              { event: "idle", failed: report.failed },
              "idle timers: some workloads could not be handled",
            );
        },
        (error: unknown) => app.logger.warn({ err: error }, "idle timers failed; trying again at the next interval"),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  const seconds = Math.round(intervalMs / 1000);
  return {
    name: "idle",
    ready: `idle timers checked every ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`}`,
    failure: NEVER_FAILS,
    stop: async () => clearInterval(timer),
    settled: () => round,
  };
}
