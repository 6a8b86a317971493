/**
 * Confirming and cancelling destroy plans. Only the person's own "yes", button or y/N answer
 * reaches here; the model has no tool for it. The core checks that the token belongs to the
 * actor, is unused, unexpired and still matches the plan.
 *
 * @module
 */
import type { ChatContext, EngineOutcome } from "./chat-context.js";
import { isChangePlan } from "../api/outcome.js";
import { explainError } from "../api/error-wording.js";
import { jobSummary } from "./turn.js";

/** Confirms the plan behind `token` for the context's actor. */
export async function confirmPending(context: ChatContext, token: string): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const pending = context.state.pending?.token === token ? context.state.pending : undefined;
  const workload = pending?.plan.workload;
  try {
    const job = await turn.call(
      "confirm",
      workload !== undefined ? { workload } : {},
      () => core.confirm(actor, token),
      jobSummary,
    );
    turn.job = job;
    if (pending) turn.pendingResolved = true;
    if (workload !== undefined) turn.focus = workload;
    const verb = pending !== undefined && isChangePlan(pending.plan) ? "Changing" : "Destroying";
    return {
      text:
        workload !== undefined
          ? `${verb} ${workload}. I'll tell you when it's done.`
          : `${verb} it. I'll tell you when it's done.`,
    };
  } catch (error) {
    // A refused token (expired, used, changed) is not worth keeping around.
    if (pending) turn.pendingResolved = true;
    return { text: explainError(error) };
  }
}

/** Drops the pending plan; nothing is destroyed and the token simply expires. */
export function cancelPending(context: ChatContext, token: string): EngineOutcome {
  const pending = context.state.pending?.token === token ? context.state.pending : undefined;
  if (!pending) return { text: "Okay, nothing was changed." };
  context.turn.pendingResolved = true;
  return { text: `Cancelled. ${pending.plan.workload} stays as it is.` };
}
