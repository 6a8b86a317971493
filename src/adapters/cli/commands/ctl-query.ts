/**
 * Read-only workload commands: `voxnix ctl list`, `show <name>`, `logs <name>`, `host-key <name>`,
 * `storage`, `job <id>`.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { parsePositiveNumber } from "../parse.js";
import { renderDetails, renderHostKeys, renderJob, renderList, renderLogs, renderStorage } from "../views.js";

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
    .description("Print a VM's SSH host keys, fingerprints and age recipients (to re-encrypt agenix/sops secrets for it)")
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
    .command("job")
    .description("Show the state of a job (create, destroy, restore)")
    .argument("<id>", "job id")
    .action(async (id: string) => {
      const { core } = await context.app();
      context.output(await core.job(context.globals().actor, id), renderJob);
    });
};
