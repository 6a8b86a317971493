/**
 * A finished job's result, tagged with its kind, for adapters that word it (chat replies,
 * Telegram's final message). The kind comes from the handle, so nobody guesses a result's
 * type from its shape.
 *
 * @module
 */
import type { AnyJobHandle, JobResult } from "../core/api.js";

/** Waits for `job` and tags its result with the job's kind; rejects as the job does. */
export async function settleJob(job: AnyJobHandle): Promise<JobResult> {
  // Each member of AnyJobHandle pairs `kind` with its own result type, so this pairing holds;
  // TypeScript cannot follow the correlation through the union by itself.
  return { kind: job.kind, value: await job.wait() } as JobResult;
}
