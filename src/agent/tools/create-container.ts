/**
 * `create_container`: validates and starts a create of a container or, with `kind: vm`, a VM
 * (or, in a dry run, only plans it). Without `kind` the core gives the person's default kind.
 * Inputs are forgiving in the ways small local models slip: numbers as strings, modules as
 * one comma-separated string, and everyday module names ("vscode") mapped to catalog names.
 * `idle` is the workload's own idle timeout ("2h", "off"), checked by the core against the
 * person's maximum.
 *
 * @module
 */
import { createPlanOf } from "../../api/outcome.js";
import { tool, zodSchema } from "ai";
import { z } from "zod";
import type { ChatContext } from "../chat-context.js";
import * as replies from "../replies.js";
import { MODULE_SYNONYMS } from "../intents/modules.js";
import { jobSummary } from "../turn.js";
import { guard } from "./result.js";
import { notNowRefusal } from "./not-now.js";
import { InvalidInputError } from "../../domain/errors.js";
import { createInput, createOptions, createRecord, describeStarted, type ChatCreate } from "../create-input.js";

const input = zodSchema(
  z.object({
    name: z.string().min(1).max(64).describe("New name, e.g. web"),
    kind: z.enum(["container", "vm"]).optional().describe("Only if they said container or vm"),
    modules: z
      .union([z.array(z.string()), z.string()])
      .optional()
      .describe("Module names from the Modules list (containers)"),
    cpus: z.union([z.number(), z.string()]).optional(),
    memory: z.union([z.string(), z.number()]).optional().describe('Memory size such as "4G"'),
    disk: z.string().optional().describe("VM root disk size"),
    workspace: z.boolean().optional().describe("Persistent /workspace; default true"),
    idle: z.string().optional().describe('Stop when idle this long: "2h", "off"'),
  }),
);

/** Maps what a model wrote to catalog module names: catalog names as is, synonyms translated. */
export function normaliseModules(
  modules: readonly string[] | string | undefined,
  catalog: ReadonlySet<string>,
): string[] {
  const list = typeof modules === "string" ? modules.split(/[,;]+|\s+and\s+/) : [...(modules ?? [])];
  const names = list.map((module) => module.trim().toLowerCase()).filter((module) => module.length > 0);
  const mapped = names.map((module) =>
    catalog.has(module) ? module : (MODULE_SYNONYMS[module] ?? MODULE_SYNONYMS[module.replace(/-/g, " ")] ?? module),
  );
  return [...new Set(mapped)];
}

/** Builds the tool for one message's context. */
export function createContainerTool(context: ChatContext) {
  return tool({
    description: "Create a new container, or a VM (kind vm; no modules).",
    inputSchema: input,
    execute: (args) =>
      guard(context.turn, async () => {
        const refused = await notNowRefusal(context, "create", args.name);
        if (refused) return refused;
        const modules = normaliseModules(args.modules, new Set(context.core.modules().map((module) => module.name)));
        const cpus = args.cpus === undefined ? undefined : Number(args.cpus);
        const memory =
          args.memory === undefined ? undefined : typeof args.memory === "number" ? `${args.memory}G` : args.memory;
        const asked: ChatCreate = {
          name: args.name,
          ...(args.kind !== undefined ? { kind: args.kind } : {}),
          modules,
          ...(cpus !== undefined ? { cpus } : {}),
          ...(memory !== undefined ? { memory } : {}),
          ...(args.disk !== undefined ? { disk: args.disk } : {}),
          ...(args.workspace === false ? { workspace: false } : {}),
          ...(args.idle !== undefined ? { idleTimeout: args.idle } : {}),
        };
        // No VM runtime: refused before any core call, and no container is made instead.
        if (args.kind === "vm" && !context.core.workloadKinds().includes("vm")) {
          throw new InvalidInputError([
            {
              path: "kind",
              message:
                "Virtual machines are not available on this appliance: no VM runtime is configured, so nothing was created.",
            },
          ]);
        }
        const spec = createInput(asked);
        const record = createRecord(asked);
        if (context.dryRun) {
          const plan = await context.turn.call(
            "planCreate",
            record,
            async () =>
              createPlanOf(
                await context.core.plan(context.actor, { operation: "create", input: spec, ...createOptions(asked) }),
              ),
            (value) => ({ name: value.spec.name, kind: value.spec.kind, modules: value.spec.modules }),
          );
          context.turn.say(replies.describeCreatePlan(plan));
          return {
            status: "planned (dry run, nothing created)",
            name: plan.spec.name,
            kind: plan.spec.kind,
            modules: plan.spec.modules,
          };
        }
        const job = await context.turn.call(
          "create",
          record,
          () => context.core.create(context.actor, spec, createOptions(asked)),
          jobSummary,
        );
        context.turn.job = job;
        context.turn.say(describeStarted(asked, job.workloadKind));
        return { status: "creating in the background", name: args.name, jobId: job.id };
      }),
  });
}
