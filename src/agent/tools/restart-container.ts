/**
 * `restart_container`: restarts one of the person's containers.
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import { guard } from "./result.js";
import { workloadNameInput } from "./workload-name.js";
import { notNowRefusal } from "./not-now.js";

/** Builds the tool for one message's context. */
export function restartContainerTool(context: ChatContext) {
  return tool({
    description: "Restart one of the person's containers.",
    inputSchema: workloadNameInput,
    execute: ({ name }) =>
      guard(context.turn, async () => {
        const refused = await notNowRefusal(context, "restart", name);
        if (refused) return refused;
        const view = await context.turn.call(
          "restart",
          { name },
          () => context.core.restart(context.actor, name),
          (value) => ({ live: value.live }),
        );
        context.turn.say(`${view.name} is restarted.`);
        return { name: view.name, live: view.live };
      }),
  });
}
