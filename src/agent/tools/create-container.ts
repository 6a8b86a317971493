/**
 * `create_container`: validates and starts a create (or, in a dry run, only plans it).
 *
 * @module
 */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { ChatContext } from "../chat-context.js";
import { jobSummary } from "../turn.js";
import { guard } from "./result.js";

const input = zodSchema(z.object({
  name: z.string().min(1).max(64).describe("New container name, e.g. web"),
  modules: z.array(z.string()).default([]).describe("Module names from the Modules list"),
  cpus: z.number().positive().optional(),
  memory: z.string().optional().describe('Memory size such as "4G"'),
  workspace: z.boolean().optional().describe("Persistent /workspace; default true"),
}));

/** Builds the tool for one message's context. */
export function createContainerTool(context: ChatContext) {
  return tool({
    description: "Create a new container for the person.",
    inputSchema: input,
    execute: (args) =>
      guard(async () => {
        const spec: ContainerSpecInput = {
          name: args.name,
          modules: args.modules,
          resources: { ...(args.cpus !== undefined ? { cpus: args.cpus } : {}), ...(args.memory !== undefined ? { memory: args.memory } : {}) },
          workspace: { enabled: args.workspace ?? true },
        };
        const record = { name: args.name, modules: args.modules, ...(args.cpus !== undefined ? { cpus: args.cpus } : {}), ...(args.memory !== undefined ? { memory: args.memory } : {}) };
        if (context.dryRun) {
          const plan = await context.turn.call("planCreate", record, () => context.core.planCreate(context.actor, spec), (value) => ({ name: value.spec.name, modules: value.spec.modules }));
          return { status: "planned (dry run, nothing created)", name: plan.spec.name, modules: plan.spec.modules };
        }
        const job = await context.turn.call("create", record, () => context.core.create(context.actor, spec), jobSummary);
        context.turn.job = job;
        return { status: "creating in the background", name: args.name, jobId: job.id };
      }),
  });
}
