/**
 * User administration (admins): `voxnix users list`, `approve <id>`, `deny <id>` and
 * `limits <id> [--disk SIZE] [--workloads N] [--cpu N] [--memory SIZE] [--pids N] [--max-idle DURATION]`.
 *
 * @module
 */
import type { UserLimitsInput } from "../../../core/api.js";
import { InvalidInputError } from "../../../domain/errors.js";
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { parsePositiveNumber } from "../parse.js";
import { renderUser, renderUsers } from "../views.js";

interface LimitFlags {
  readonly disk?: string;
  readonly workloads?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pids?: string;
  readonly maxIdle?: string;
  readonly defaultKind?: string;
  readonly vmOnly?: boolean;
}

/** Registers the `users` commands. */
export const register: RegisterCommand = (program, context) => {
  const users = commandGroup(program, "users");
  users
    .command("list")
    .description("List users with role, status, workloads and limits")
    .action(async () => {
      const { core } = await context.app();
      context.output(await core.listUsers(context.globals().actor), renderUsers);
    });
  users
    .command("approve")
    .description("Approve a pending (or denied) user")
    .argument("<id>", "user id, e.g. telegram:123")
    .action(async (id: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "approveUser", userId: id }));
      context.output(await core.approveUser(actor, id), renderUser);
    });
  users
    .command("deny")
    .description("Deny a user: they can no longer do anything")
    .argument("<id>", "user id, e.g. telegram:123")
    .action(async (id: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "denyUser", userId: id }));
      context.output(await core.denyUser(actor, id), renderUser);
    });
  users
    .command("limits")
    .description("Set a user's limits (only the given ones change)")
    .argument("<id>", "user id, e.g. telegram:123")
    .option("--disk <size>", "disk quota across all workspaces, e.g. 20G")
    .option("--workloads <n>", "workloads at once")
    .option("--cpu <n>", "CPUs summed over their workloads")
    .option("--memory <size>", "memory summed over their workloads, e.g. 16G")
    .option("--pids <n>", "processes summed over their workloads' limits, e.g. 4096")
    .option(
      "--max-idle <duration>",
      'longest inactivity timeout their workloads may have, e.g. 8h ("none": no maximum)',
    )
    .option(
      "--default-kind <kind>",
      "what they get when they do not say container or vm: container or vm (the stronger boundary)",
    )
    .option("--vm-only", "refuse containers for them: every workload is a VM")
    .option("--no-vm-only", "allow containers again")
    .action(async (id: string, flags: LimitFlags) => {
      const { actor, dryRun } = context.globals();
      const maxWorkloads = parsePositiveNumber("--workloads", flags.workloads, true);
      const cpuBudget = parsePositiveNumber("--cpu", flags.cpu);
      const pidsBudget = parsePositiveNumber("--pids", flags.pids, true);
      const limits: Partial<UserLimitsInput> = {
        ...(flags.disk !== undefined ? { diskQuota: flags.disk } : {}),
        ...(maxWorkloads !== undefined ? { maxWorkloads } : {}),
        ...(cpuBudget !== undefined ? { cpuBudget } : {}),
        ...(flags.memory !== undefined ? { memoryBudget: flags.memory } : {}),
        ...(pidsBudget !== undefined ? { pidsBudget } : {}),
        ...(flags.maxIdle !== undefined ? { maxIdleTimeout: flags.maxIdle } : {}),
        ...(flags.defaultKind !== undefined ? { defaultKind: parseKind(flags.defaultKind) } : {}),
        ...(flags.vmOnly !== undefined ? { vmOnly: flags.vmOnly } : {}),
      };
      const { core } = await context.app();
      if (dryRun) return context.planned(await core.plan(actor, { operation: "setUserLimits", userId: id, limits }));
      context.output(await core.setUserLimits(actor, id, limits), renderUser);
    });
};

/** `--default-kind`: container or vm. */
function parseKind(value: string): "container" | "vm" {
  if (value === "container" || value === "vm") return value;
  throw new InvalidInputError([
    { path: "--default-kind", message: `--default-kind is container or vm, not "${value}".` },
  ]);
}
