/**
 * Words for a finished job, for adapters that wait for one (`voxnix say`, the terminal chat,
 * Telegram's final message): the created or restored workload, or the destroy report; a
 * failed job is explained by `explainError`.
 *
 * @module
 */
import { isChangeResult, type DestroyResult, type WorkloadView } from "../core/api.js";
import { explainError } from "./explain-error.js";
import { describeChanged, describeDestroyed } from "./replies.js";

/** Describes a job's result (create/restore give a workload, destroy a report). */
export function describeJobResult(result: unknown): string {
  if (typeof result === "object" && result !== null) {
    if ("spec" in result && "name" in result) {
      const workload = result as WorkloadView;
      const address = workload.addresses[0] ? ` at ${workload.addresses[0]}` : "";
      return `${workload.name} is ready${address}.`;
    }
    if (isChangeResult(result)) return describeChanged(result);
    if ("warnings" in result && "workload" in result) return describeDestroyed(result as DestroyResult);
  }
  return "Done.";
}

/** Waits for a job and words its outcome; never throws. */
export async function waitForJobOutcome(job: { wait(): Promise<unknown> }): Promise<{ readonly ok: boolean; readonly text: string; readonly result?: unknown; readonly error?: unknown }> {
  try {
    const result = await job.wait();
    return { ok: true, text: describeJobResult(result), result };
  } catch (error) {
    return { ok: false, text: explainError(error), error };
  }
}
