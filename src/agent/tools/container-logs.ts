/**
 * `container_logs`: recent log lines of one container.
 *
 * @module
 */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { guard } from "./result.js";

const input = zodSchema(
  z.object({
    name: z.string().min(1).max(64).describe("Name of one of the person's own containers"),
    lines: z.number().int().min(1).max(200).optional().describe("How many recent lines (default 20)"),
  }),
);

/** Builds the tool for one message's context. */
export function containerLogsTool(context: ChatContext) {
  return tool({
    description: "Recent log lines of one of the person's containers.",
    inputSchema: input,
    execute: ({ name, lines }) =>
      guard(context.turn, async () => {
        const count = lines ?? 20;
        const entries = await context.turn.call(
          "logs",
          { name, lines: count },
          () => context.core.logs(context.actor, name, { lines: count }),
          (value) => ({ lines: value.length }),
        );
        context.turn.say(replies.describeLogs(name, entries));
        return { name, lines: entries.map((entry) => entry.message) };
      }),
  });
}
