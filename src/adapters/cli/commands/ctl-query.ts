/**
 * Workload queries: `voxnix ctl list`, `show <name>`, `logs <name>`, `host-key <name>`, `storage`,
 * `job <id>`; and the idle timer's two small changes, `keep [name]` and `idle <name> <timeout>`.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { parsePositiveNumber } from "../parse.js";
import {
  renderDetails,
  renderHostKeys,
  renderJob,
  renderKept,
  renderList,
  renderLogs,
  renderStorage,
} from "../views.js";

/** Registers the read-only `ctl` commands. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  ctl
    .command("list")
    .description("List your workloads (admins: all, plus containers voxnix does not manage)")
    .action(async () => {
      const { core } = await context.app();
      context.output(await core.list(context.globals().actor), renderList);
    });
  ctl
    .command("show")
    .description("Show one workload: state, addresses, resources, storage, remote access")
    .argument("<name>", "workload name")
    .action(async (name: string) => {
      const { core } = await context.app();
      context.output(await core.show(context.globals().actor, name), renderDetails);
    });
  ctl
    .command("logs")
    .description("Print a workload's recent log lines")
    .argument("<name>", "workload name")
    .option("-n, --lines <n>", "how many lines", "50")
    .action(async (name: string, flags: { lines: string }) => {
      const lines = parsePositiveNumber("--lines", flags.lines, true);
      const { core } = await context.app();
      context.output(await core.logs(context.globals().actor, name, lines === undefined ? {} : { lines }), renderLogs);
    });
  ctl
    .command("host-key")
    .description(
      "Print a VM's SSH host keys, fingerprints and age recipients (to re-encrypt agenix/sops secrets for it)",
    )
    .argument("<name>", "VM name")
    .action(async (name: string) => {
      const { core } = await context.app();
      context.output(await core.hostKey(context.globals().actor, name), renderHostKeys);
    });
  ctl
    .command("storage")
    .description("Show your disk usage, quota, workspaces and restorable snapshots")
    .action(async () => {
      const { core } = await context.app();
      context.output(await core.storage(context.globals().actor), renderStorage);
    });
  ctl
    .command("keep")
    .description("Reset a workload's inactivity timer (without a name: the workloads you were warned about)")
    .argument("[name]", "workload name")
    .action(async (name: string | undefined) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "keep", ...(name ? { name } : {}) }));
      context.output(await core.keep(actor, name), renderKept);
    });
  ctl
    .command("idle")
    .description(
      "Set how long a workload may stay idle before it is stopped: 2h, 90m, off, or default (within your maximum)",
    )
    .argument("<name>", "workload name")
    .argument("<timeout>", "a duration like 2h or 45m, off, or default")
    .action(async (name: string, timeout: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "setIdleTimeout", name, timeout }));
      context.output(await core.setIdleTimeout(actor, name, timeout), (view) => [`${name}: ${view.summary}`]);
    });
  ctl
    .command("job")
    .description("Show the state of a job (create, destroy, restore)")
    .argument("<id>", "job id")
    .action(async (id: string) => {
      const { core } = await context.app();
      context.output(await core.job(context.globals().actor, id), renderJob);
    });
};
