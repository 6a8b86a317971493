/**
 * `change_workload`: changes modules, CPUs, memory or the workspace size of one of the
 * person's workloads, keeping its workspace's files. A workspace smaller than what it holds is
 * refused by the core. It runs the offline engine's change step, so both engines plan,
 * word and confirm a change the same way: a change that restarts the workload or removes a
 * module waits for the person's own confirmation (there is no confirm tool).
 *
 * @module
 */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import type { ChatContext } from "../chat-context.js";
import { parseRequests } from "../intents/parse.js";
import { changeOperation } from "../intents/operations.js";

const step = z.enum(["more", "less"]);

const changeInput = zodSchema(
  z.object({
    name: z.string().min(1).max(64).describe("Name of one of the person's own workloads"),
    addModules: z.array(z.string().max(64)).max(20).optional(),
    removeModules: z.array(z.string().max(64)).max(20).optional(),
    cpus: z
      .union([z.number().positive().max(256), step])
      .optional()
      .describe('number, or "more"/"less"'),
    memory: z.string().max(16).optional().describe('size like "2G", or "more"/"less"'),
    workspaceSize: z.string().max(16).optional().describe("workspace disk, same form"),
  }),
);

/** True unless every change the person's own words ask for is negated ("don't add fish to dev"). */
function notDeclined(message: string, names: readonly string[]): boolean {
  const changes = parseRequests(message, { knownNames: names, catalogNames: [] }).filter(
    (intent) => intent.type === "change",
  );
  return changes.length === 0 || changes.some((intent) => intent.type === "change" && !intent.negated);
}

/** Builds the tool for one message's context. */
export function changeWorkloadTool(context: ChatContext) {
  return tool({
    description:
      "Change one of the person's workloads (files kept): modules, CPUs, memory, workspace size. A restart or removal waits for the person's confirmation.",
    inputSchema: changeInput,
    execute: async ({ name, addModules, removeModules, cpus, memory, workspaceSize }) => {
      const names = await context.ownNames();
      // The model may misread "don't add fish to dev" too: a negated request changes nothing.
      if (!notDeclined(context.message ?? "", names)) {
        context.turn.say(`Okay, I won't change ${name}.`);
        return {
          ok: false as const,
          error: "declined",
          message: "The person said not to change it; nothing was changed.",
        };
      }
      const outcome = await changeOperation(
        {
          type: "change",
          target: { kind: "named", name },
          addModules: addModules ?? [],
          removeModules: removeModules ?? [],
          ...(cpus !== undefined ? { cpus } : {}),
          ...(memory !== undefined ? { memory } : {}),
          ...(workspaceSize !== undefined ? { workspaceSize } : {}),
          negated: false,
        },
        context,
        names,
      );
      context.turn.say(outcome.text);
      const waiting = context.turn.confirmation !== undefined;
      return {
        ok: true as const,
        status: waiting ? "waiting for the person's confirmation; not changed yet" : "done or started",
        text: outcome.text,
      };
    },
  });
}
