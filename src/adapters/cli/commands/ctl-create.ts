/**
 * `voxnix ctl create <name>`: validates and admits a workload spec, then follows the create
 * job; with `--dry-run` it prints the validated plan (spec, backend artifacts, commands) and
 * touches nothing. `--idle-timeout 2h|off` gives the workload its own inactivity timer at once.
 *
 * @module
 */
import { accessLines, accessPointsFrom } from "../../../domain/ssh-access.js";
import { readFileSync } from "node:fs";
import type { VmSpecInput } from "../../../domain/vm-spec.js";
import { InvalidInputError } from "../../../domain/errors.js";
import { createPlanOf } from "../../../api/outcome.js";
import type { ContainerSpecInput } from "../../../domain/spec.js";
import type { RegisterCommand } from "../context.js";
import { followJob } from "../follow-job.js";
import { commandGroup } from "../groups.js";
import { collect, parseModuleOptions, parsePositiveNumber } from "../parse.js";
import { renderCreatePlan } from "../plan-views.js";
import { renderWorkloadLine } from "../views.js";

interface CreateFlags {
  readonly module?: string[];
  readonly workspace: boolean;
  readonly workspaceSize?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pids?: string;
  readonly remoteAccess?: boolean;
  readonly option?: string[];
  readonly vm?: boolean;
  readonly container?: boolean;
  readonly disk?: string;
  readonly sshKey?: string[];
  readonly idleTimeout?: string;
}

/** Registers `voxnix ctl create`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "ctl")
    .command("create")
    .description("Create and start a container, or with --vm a VM (a job with progress); --dry-run shows the plan")
    .argument("<name>", "workload name: lowercase letters, digits and hyphens, at most 11 characters")
    .option("-m, --module <module>", "add a module (repeatable), e.g. --module git --module fish", collect)
    .option("--no-workspace", "do not give it a persistent /workspace")
    .option("--workspace-size <size>", "workspace quota, e.g. 10G")
    .option("--cpu <n>", "CPUs")
    .option("--memory <size>", "memory, e.g. 2G")
    .option("--pids <n>", "most processes it may run at once, e.g. 1024")
    .option("--remote-access", "private remote access over Tailscale")
    .option("-o, --option <module.key=value>", "a module option (repeatable), e.g. code-server.port=8443", collect)
    .option("--vm", "a virtual machine instead of a container (needs a VM runtime: vm.runtime)")
    .option("--container", "a container, even when an administrator made VMs your default")
    .option("--disk <size>", "VMs: root disk size, e.g. 8G")
    .option("--ssh-key <file>", "VMs: a public key file for root in the guest (repeatable)", collect)
    .option(
      "--idle-timeout <duration>",
      'stop it after this long without activity, e.g. 2h, 90m, or "off" (within your maximum; default: the configuration\'s)',
    )
    .action(async (name: string, flags: CreateFlags) => {
      const { actor, dryRun } = context.globals();
      const cpus = parsePositiveNumber("--cpu", flags.cpu);
      const pids = parsePositiveNumber("--pids", flags.pids, true);
      if (flags.container && flags.vm)
        throw new InvalidInputError([{ path: "--vm", message: "Give --vm or --container, not both." }]);
      const app = await context.app();
      const idle = flags.idleTimeout === undefined ? {} : { idleTimeout: flags.idleTimeout };
      if (flags.vm) {
        const vmInput: VmSpecInput = {
          kind: "vm",
          name,
          ...(cpus !== undefined ? { cpus } : {}),
          ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
          ...(flags.disk !== undefined ? { disk: flags.disk } : {}),
          ...(flags.workspaceSize !== undefined ? { workspace: flags.workspaceSize } : {}),
          sshKeys: readKeyFiles(flags.sshKey ?? []),
        };
        if (dryRun) {
          context.output(
            createPlanOf(await app.core.plan(actor, { operation: "create", input: vmInput, ...idle })),
            renderCreatePlan,
          );
          return;
        }
        const handle = await app.core.create(actor, vmInput, idle);
        const workload = await followJob(
          context,
          handle,
          `Creating the VM ${name}`,
          (result) => `${result.name} is ${result.live}`,
        );
        context.output(workload, (value) => [
          ...renderWorkloadLine(value, "created"),
          ...accessLines(
            value.name,
            accessPointsFrom(app.config),
            `voxnix web link --as ${actor.userId} prints a login link`,
          ),
        ]);
        return;
      }
      // Without --container the kind is left open: the core gives what the person's default is (containers unless an administrator chose VMs).
      const input: ContainerSpecInput = {
        ...(flags.container ? { kind: "container" as const } : {}),
        name,
        modules: flags.module ?? [],
        moduleOptions: parseModuleOptions(flags.option ?? [], app.catalog),
        workspace: {
          enabled: flags.workspace,
          ...(flags.workspaceSize !== undefined ? { size: flags.workspaceSize } : {}),
        },
        resources: {
          ...(cpus !== undefined ? { cpus } : {}),
          ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
          ...(pids !== undefined ? { pids } : {}),
        },
        ...(flags.remoteAccess ? { remoteAccess: true } : {}),
      };
      if (dryRun) {
        context.output(
          createPlanOf(await app.core.plan(actor, { operation: "create", input, ...idle })),
          renderCreatePlan,
        );
        return;
      }
      const handle = await app.core.create(actor, input, idle);
      const workload = await followJob(
        context,
        handle,
        `Creating ${name}`,
        (result) => `${result.name} is ${result.live}`,
      );
      context.output(workload, (value) => [
        ...renderWorkloadLine(value, "created"),
        ...accessLines(
          value.name,
          accessPointsFrom(app.config),
          `voxnix web link --as ${actor.userId} prints a login link`,
        ),
      ]);
    });
};

/** The public keys in `files` (one or more lines each); a missing file is invalid input. */
function readKeyFiles(files: readonly string[]): string[] {
  const keys: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw new InvalidInputError([
        { path: "--ssh-key", message: `Cannot read ${file}; give a public key file such as ~/.ssh/id_ed25519.pub.` },
      ]);
    }
    keys.push(
      ...text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 0 && !line.startsWith("#")),
    );
  }
  return keys;
}
