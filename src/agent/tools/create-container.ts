/**
 * `create_container`: validates and starts a create (or, in a dry run, only plans it).
 * Inputs are forgiving in the ways small local models slip: numbers as strings, modules as
 * one comma-separated string, and everyday module names ("vscode") mapped to catalog names.
 *
 * @module
 */
import { createPlanOf } from "../../api/outcome.js";
import { tool, zodSchema } from "ai";
import { z } from "zod";
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { MODULE_SYNONYMS } from "../intents/modules.js";
import { jobSummary } from "../turn.js";
import { guard } from "./result.js";

const input = zodSchema(
  z.object({
    name: z.string().min(1).max(64).describe("New container name, e.g. web"),
    modules: z.union([z.array(z.string()), z.string()]).optional().describe("Module names from the Modules list"),
    cpus: z.union([z.number(), z.string()]).optional(),
    memory: z.union([z.string(), z.number()]).optional().describe('Memory size such as "4G"'),
    workspace: z.boolean().optional().describe("Persistent /workspace; default true"),
  }),
);

/** Maps what a model wrote to catalog module names: catalog names as is, synonyms translated. */
export function normaliseModules(modules: readonly string[] | string | undefined, catalog: ReadonlySet<string>): string[] {
  const list = typeof modules === "string" ? modules.split(/[,;]+|\s+and\s+/) : [...(modules ?? [])];
  const names = list.map((module) => module.trim().toLowerCase()).filter((module) => module.length > 0);
  const mapped = names.map((module) => (catalog.has(module) ? module : (MODULE_SYNONYMS[module] ?? MODULE_SYNONYMS[module.replace(/-/g, " ")] ?? module)));
  return [...new Set(mapped)];
}

/** Builds the tool for one message's context. */
export function createContainerTool(context: ChatContext) {
  return tool({
    description: "Create a new container for the person.",
    inputSchema: input,
    execute: (args) =>
      guard(context.turn, async () => {
        const modules = normaliseModules(args.modules, new Set(context.core.modules().map((module) => module.name)));
        const cpus = args.cpus === undefined ? undefined : Number(args.cpus);
        const memory = args.memory === undefined ? undefined : typeof args.memory === "number" ? `${args.memory}G` : args.memory;
        const spec: ContainerSpecInput = {
          name: args.name,
          modules,
          resources: { ...(cpus !== undefined ? { cpus } : {}), ...(memory !== undefined ? { memory } : {}) },
          workspace: { enabled: args.workspace ?? true },
        };
        const record = { name: args.name, modules, ...(cpus !== undefined ? { cpus } : {}), ...(memory !== undefined ? { memory } : {}) };
        if (context.dryRun) {
          const plan = await context.turn.call("planCreate", record, async () => createPlanOf(await context.core.plan(context.actor, { operation: "create", input: spec })), (value) => ({ name: value.spec.name, modules: value.spec.modules }));
          context.turn.say(replies.describeCreatePlan(plan));
          return { status: "planned (dry run, nothing created)", name: plan.spec.name, modules: plan.spec.modules };
        }
        const job = await context.turn.call("create", record, () => context.core.create(context.actor, spec), jobSummary);
        context.turn.job = job;
        context.turn.say(replies.describeCreateStarted(args.name, modules));
        return { status: "creating in the background", name: args.name, jobId: job.id };
      }),
  });
}
