/**
 * `destroy_container`: asks the core for a destroy plan. The core always answers with a
 * plan and a confirmation token; the token goes to the reply (for the person's own button
 * or "yes"), never to the model, and there is no tool that confirms.
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { toolFailure } from "./result.js";
import { workloadNameInput } from "./workload-name.js";
import { parseRequests } from "../intents/parse.js";

/** True when `message` plainly asks to destroy `name` (by name, or by "it"/"that" when `name` is the focus or the only container). */
export function asksToDestroy(
  message: string,
  name: string,
  names: readonly string[],
  focus: string | undefined,
): boolean {
  return parseRequests(message, { knownNames: names, catalogNames: [] }).some((intent) => {
    if (intent.type !== "destroy") return false;
    const target = intent.target;
    if (target.kind === "named" || target.kind === "unknown") return target.name === name;
    if (target.kind === "all") return false;
    return name === focus || (names.length === 1 && names[0] === name);
  });
}

/** Builds the tool for one message's context. */
export function destroyContainerTool(context: ChatContext) {
  return tool({
    description:
      "Prepare destroying one of the person's containers. Returns the plan; the person confirms it themselves.",
    inputSchema: workloadNameInput,
    execute: async ({ name }) => {
      // The model may misread "don't delete web" too: a plan is only prepared when the
      // person's own words plainly ask to destroy this container (read by the offline parser).
      const asked = asksToDestroy(context.message ?? "", name, await context.ownNames(), context.state.focus);
      if (!asked) {
        const message = `Nothing was planned: the message does not plainly ask to destroy ${name}. Ask the person; they can say "destroy ${name}".`;
        context.turn.say(
          `I'm not sure you want ${name} destroyed, so I did nothing. If you do, say plainly: destroy ${name}`,
        );
        return { ok: false as const, error: "not-asked", message };
      }
      try {
        const confirmation = await context.turn.call("destroy", { name }, () =>
          context.core.destroy(context.actor, name),
        );
        context.turn.say(replies.describeDestroyPlan(confirmation.plan, confirmation.expiresAt, context.clock.now()));
        return {
          ok: true as const,
          status: "waiting for the person's confirmation (button or reply yes); not destroyed yet",
          workload: confirmation.plan.workload,
          removes: confirmation.plan.removes,
          keeps: confirmation.plan.keeps,
        };
      } catch (error) {
        const failure = toolFailure(error);
        context.turn.say(failure.message);
        return failure;
      }
    },
  });
}
