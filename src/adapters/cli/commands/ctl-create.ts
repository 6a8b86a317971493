/**
 * `voxnix ctl create <name>`: validates and admits a workload spec, then follows the create
 * job; with `--dry-run` it prints the validated plan (spec, backend artifacts, commands) and
 * touches nothing.
 *
 * @module
 */
import { createPlanOf } from "../../../api/outcome.js";
import type { ContainerSpecInput } from "../../../domain/spec.js";
import type { RegisterCommand } from "../context.js";
import { followJob } from "../follow-job.js";
import { commandGroup } from "../groups.js";
import { collect, parseModuleOptions, parsePositiveNumber } from "../parse.js";
import { renderCreatePlan, renderWorkloadLine } from "../views.js";

interface CreateFlags {
  readonly module?: string[];
  readonly workspace: boolean;
  readonly workspaceSize?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pids?: string;
  readonly remoteAccess?: boolean;
  readonly option?: string[];
}

/** Registers `voxnix ctl create`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "ctl")
    .command("create")
    .description("Create and start a container (a job with progress); --dry-run shows the plan")
    .argument("<name>", "workload name: lowercase letters, digits and hyphens, at most 11 characters")
    .option("-m, --module <module>", "add a module (repeatable), e.g. --module git --module fish", collect)
    .option("--no-workspace", "do not give it a persistent /workspace")
    .option("--workspace-size <size>", "workspace quota, e.g. 10G")
    .option("--cpu <n>", "CPUs")
    .option("--memory <size>", "memory, e.g. 2G")
    .option("--pids <n>", "most processes it may run at once, e.g. 1024")
    .option("--remote-access", "private remote access over Tailscale")
    .option("-o, --option <module.key=value>", "a module option (repeatable), e.g. code-server.port=8443", collect)
    .action(async (name: string, flags: CreateFlags) => {
      const { actor, dryRun } = context.globals();
      const cpus = parsePositiveNumber("--cpu", flags.cpu);
      const pids = parsePositiveNumber("--pids", flags.pids, true);
      const app = await context.app();
      const input: ContainerSpecInput = {
        name,
        modules: flags.module ?? [],
        moduleOptions: parseModuleOptions(flags.option ?? [], app.catalog),
        workspace: { enabled: flags.workspace, ...(flags.workspaceSize !== undefined ? { size: flags.workspaceSize } : {}) },
        resources: {
          ...(cpus !== undefined ? { cpus } : {}),
          ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
          ...(pids !== undefined ? { pids } : {}),
        },
        ...(flags.remoteAccess ? { remoteAccess: true } : {}),
      };
      if (dryRun) {
        context.output(createPlanOf(await app.core.plan(actor, { operation: "create", input })), renderCreatePlan);
        return;
      }
      const handle = await app.core.create(actor, input);
      const workload = await followJob(context, handle, `Creating ${name}`, (result) => `${result.name} is ${result.live}`);
      context.output(workload, (value) => renderWorkloadLine(value, "created"));
    });
};
