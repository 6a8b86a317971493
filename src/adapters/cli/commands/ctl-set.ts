/**
 * `voxnix ctl set <name>`: change a workload's modules, module options and limits. A change
 * that restarts it or removes a module prints its plan and a confirmation token (exit 4, like
 * `ctl destroy`; `ctl confirm <token>` or `--yes` goes ahead); any other change is applied at
 * once; a change to what it already has says so and exits 0.
 *
 * @module
 */
import { InvalidInputError } from "../../../domain/errors.js";
import type { ChangeRequestInput } from "../../../domain/change.js";
import type { ChangeResult, JobHandle } from "../../../core/api.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { followJob } from "../follow-job.js";
import { commandGroup } from "../groups.js";
import { collect, parseModuleOptions, parsePositiveNumber } from "../parse.js";
import { renderChangePlan, renderConfirmation } from "../plan-views.js";
import { renderChangeResult } from "../views.js";

interface SetFlags {
  readonly module?: string[];
  readonly option?: string[];
  readonly cpu?: string;
  readonly memory?: string;
  readonly pids?: string;
  readonly workspaceSize?: string;
}

/** Splits `--module +name` / `--module -name` (a bare name adds). */
export function parseModuleChanges(values: readonly string[]): { addModules: string[]; removeModules: string[] } {
  const addModules: string[] = [];
  const removeModules: string[] = [];
  for (const value of values) {
    const match = /^([+-]?)([a-z0-9][a-z0-9-]*)$/i.exec(value.trim());
    if (!match)
      throw new InvalidInputError([
        {
          path: "--module",
          message: `"${value}" is not a module change; write +name to add or -name to remove, e.g. --module +git --module=-fish.`,
        },
      ]);
    (match[1] === "-" ? removeModules : addModules).push(match[2]!);
  }
  return { addModules, removeModules };
}

/** Registers `voxnix ctl set`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "ctl")
    .command("set")
    .description(
      "Change a workload's modules and limits, keeping its workspace (a restart or a removed module asks for confirmation first: exit 4, or --yes)",
    )
    .argument("<name>", "workload name")
    .option(
      "-m, --module <+name|-name>",
      "add (+git) or remove (-fish) a module (repeatable; write --module=-fish to remove)",
      collect,
    )
    .option("-o, --option <module.key=value>", "a module option (repeatable), e.g. code-server.port=8443", collect)
    .option("--cpu <n>", "CPUs")
    .option("--memory <size>", "memory, e.g. 2G")
    .option("--pids <n>", "most processes it may run at once")
    .option(
      "--workspace-size <size>",
      "the workspace's size limit, changed in place (not below what it holds; within your disk quota), e.g. 20G",
    )
    .action(async (name: string, flags: SetFlags) => {
      const { actor, dryRun, yes } = context.globals();
      const cpus = parsePositiveNumber("--cpu", flags.cpu);
      const pids = parsePositiveNumber("--pids", flags.pids, true);
      const app = await context.app();
      const change: ChangeRequestInput = {
        ...parseModuleChanges(flags.module ?? []),
        moduleOptions: parseModuleOptions(flags.option ?? [], app.catalog),
        ...(cpus === undefined ? {} : { cpus }),
        ...(flags.memory === undefined ? {} : { memory: flags.memory }),
        ...(pids === undefined ? {} : { pids }),
        ...(flags.workspaceSize === undefined ? {} : { workspaceSize: flags.workspaceSize }),
      };
      if (dryRun) {
        context.planned(await app.core.plan(actor, { operation: "change", name, change }));
        return;
      }
      const answer = await app.core.change(actor, name, change);
      switch (answer.type) {
        case "done":
          context.output(answer.value, renderChangePlan);
          return;
        case "job":
          if (!context.globals().json) for (const line of renderChangePlan(answer.plan)) context.warn(line);
          await finishChange(context, answer.job, name);
          return;
        case "needs-confirmation":
          if (!yes) {
            context.needsConfirmation(answer);
            return;
          }
          if (!context.globals().json) for (const line of renderConfirmation(answer, false)) context.warn(line);
          const confirmed = await app.core.confirm(actor, answer.token);
          // A change's token starts a change job; the kind says so instead of a cast.
          if (confirmed.kind !== "change") throw new Error(`confirming a change started a ${confirmed.kind} job`);
          await finishChange(context, confirmed, name);
      }
    });
};

/** Follows a change job and prints the workload with its new settings. */
export async function finishChange(context: CliContext, handle: JobHandle<ChangeResult>, label: string): Promise<void> {
  const result = await followJob(context, handle, `Changing ${label}`, (value) => `${value.workload} changed`);
  context.output(result, renderChangeResult);
}
