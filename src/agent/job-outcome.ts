/**
 * Words for a finished job, for adapters that wait for one (`voxnix say`, the terminal chat,
 * Telegram's final message): the created or restored workload, or the destroy report; a
 * failed job is explained by `explainError`.
 *
 * @module
 */
import type { AnyJobHandle, JobResult } from "../core/api.js";
import { settleJob } from "../api/job-result.js";
import { accessLines, type AccessPoints } from "../domain/ssh-access.js";
import { explainError } from "../api/error-wording.js";
import { describeChanged, describeDestroyed } from "./replies.js";
import { CHAT_LOGIN_HINT } from "./intents/wording.js";

/** The same on the appliance's own command line. */
export const CLI_LOGIN_HINT = "voxnix web link prints a login link";

/**
 * Describes a job's result (create/restore give a workload, destroy a report). A workload
 * comes with how to get in (`access`: the ssh line and the dashboard, when configured).
 */
export function describeJobResult(result: JobResult, access: AccessPoints = {}, loginHint = CHAT_LOGIN_HINT): string {
  switch (result.kind) {
    case "create":
    case "restore": {
      const address = result.value.addresses[0] ? ` at ${result.value.addresses[0]}` : "";
      return [`${result.value.name} is ready${address}.`, ...accessLines(result.value.name, access, loginHint)].join(
        "\n",
      );
    }
    case "destroy":
      return describeDestroyed(result.value);
    case "change":
      return describeChanged(result.value);
  }
}

/** Waits for a job and words its outcome (with how to get in, from `access`); never throws. */
export async function waitForJobOutcome(
  job: AnyJobHandle,
  access: AccessPoints = {},
  loginHint = CHAT_LOGIN_HINT,
): Promise<{ readonly ok: boolean; readonly text: string; readonly result?: unknown; readonly error?: unknown }> {
  try {
    const result = await settleJob(job);
    return { ok: true, text: describeJobResult(result, access, loginHint), result: result.value };
  } catch (error) {
    return { ok: false, text: explainError(error), error };
  }
}
