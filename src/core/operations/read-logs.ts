/**
 * `logs`: the latest journal lines of a workload (1 to 1000, default 50).
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { LogEntry } from "../../ports/runtime.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** Default and bounds for the number of lines. */
export const LOG_LINES = { default: 50, min: 1, max: 1000 } as const;

/** Clamps a requested line count into 1..1000; anything not a number gives the default. */
export function clampLines(lines: number | undefined): number {
  if (lines === undefined || !Number.isFinite(lines)) return LOG_LINES.default;
  return Math.min(LOG_LINES.max, Math.max(LOG_LINES.min, Math.floor(lines)));
}

/** Reads the logs of the actor's workload `name`. */
export function readLogs(
  services: CoreServices,
  actor: Actor,
  name: string,
  options?: { readonly lines?: number },
): Promise<readonly LogEntry[]> {
  const { context } = services;
  return runOperation(services, {
    operation: "logs",
    actor,
    args: { name, lines: options?.lines },
    validate: () => ({ name: validateName(name), lines: clampLines(options?.lines) }),
    target: (input) => input.name,
    run: async ({ input, workload }) =>
      runtimeForWorkload(context.deps.runtimes, workload!).logs(workload!.spec.name, { lines: input.lines }),
  });
}
