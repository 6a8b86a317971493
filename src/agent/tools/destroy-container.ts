/**
 * `destroy_container`: asks the core for a destroy plan. The core always answers with a
 * plan and a confirmation token; the token goes to the reply (for the person's own button
 * or "yes"), never to the model, and there is no tool that confirms.
 *
 * @module
 */
import { tool } from "ai";
import { NeedsConfirmationError } from "../../domain/errors.js";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { toolFailure } from "./result.js";
import { workloadNameInput } from "./workload-name.js";

/** Builds the tool for one message's context. */
export function destroyContainerTool(context: ChatContext) {
  return tool({
    description: "Prepare destroying one of the person's containers. Returns the plan; the person confirms it themselves.",
    inputSchema: workloadNameInput,
    execute: async ({ name }) => {
      try {
        await context.turn.call("destroy", { name }, () => context.core.destroy(context.actor, name));
        context.turn.say("The destroy was not planned.");
        return { ok: false as const, error: "internal", message: "The destroy was not planned." };
      } catch (error) {
        if (error instanceof NeedsConfirmationError) {
          context.turn.say(replies.describeDestroyPlan(error.plan, error.expiresAt, context.clock.now()));
          return {
            ok: true as const,
            status: "waiting for the person's confirmation (button or reply yes); not destroyed yet",
            workload: error.plan.workload,
            removes: error.plan.removes,
            keeps: error.plan.keeps,
          };
        }
        const failure = toolFailure(error);
        context.turn.say(failure.message);
        return failure;
      }
    },
  });
}
