/**
 * Words for a finished job, for adapters that wait for one (`voxnix say`, the terminal chat,
 * Telegram's final message): the created or restored workload, or the destroy report; a
 * failed job is explained by `explainError`.
 *
 * @module
 */
import type { AnyJobHandle, JobResult } from "../core/api.js";
import { settleJob } from "../api/job-result.js";
import { explainError } from "./explain-error.js";
import { describeDestroyed } from "./replies.js";

/** Describes a job's result (create/restore give a workload, destroy a report). */
export function describeJobResult(result: JobResult): string {
  switch (result.kind) {
    case "create":
    case "restore": {
      const address = result.value.addresses[0] ? ` at ${result.value.addresses[0]}` : "";
      return `${result.value.name} is ready${address}.`;
    }
    case "destroy":
      return describeDestroyed(result.value);
  }
}

/** Waits for a job and words its outcome; never throws. */
export async function waitForJobOutcome(job: AnyJobHandle): Promise<{ readonly ok: boolean; readonly text: string; readonly result?: unknown; readonly error?: unknown }> {
  try {
    const result = await settleJob(job);
    return { ok: true, text: describeJobResult(result), result: result.value };
  } catch (error) {
    return { ok: false, text: explainError(error), error };
  }
}
