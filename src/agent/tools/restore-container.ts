/**
 * `restore_container`: brings back a destroyed container from its snapshot (undo window).
 *
 * @module
 */
import { tool } from "ai";
import type { ChatContext } from "../chat-context.js";
import { jobSummary } from "../turn.js";
import { guard } from "./result.js";
import { workloadNameInput } from "./workload-name.js";

/** Builds the tool for one message's context. */
export function restoreContainerTool(context: ChatContext) {
  return tool({
    description: "Restore a container the person destroyed recently.",
    inputSchema: workloadNameInput,
    execute: ({ name }) =>
      guard(context.turn, async () => {
        const job = await context.turn.call(
          "restore",
          { name },
          () => context.core.restore(context.actor, name),
          jobSummary,
        );
        context.turn.job = job;
        context.turn.say(`Restoring ${name} from its snapshot. I'll tell you when it's back.`);
        return { status: "restoring in the background", name, jobId: job.id };
      }),
  });
}
