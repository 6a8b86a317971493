/**
 * `voxnix ctl exec <name> -- <command…>` runs a command inside one of your workloads and exits
 * with its exit status; `voxnix ctl shell <name>` opens an interactive login shell there
 * (fish when the workload has the fish module). Both go through `core.exec`, so only the
 * owner and admins can use them, and both are audited.
 *
 * @module
 */
import type { CommandResult } from "../../../ports/command-runner.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { EXIT_CODE_BY_KIND } from "../exit-codes.js";
import { isImportedVm } from "../../../core/api.js";

/** The login shell command: `su -l` starts root's login shell from the container's passwd. */
export const SHELL_ARGV: readonly string[] = ["su", "-l", "root"];

/** Signal numbers for the usual terminations, for the shell convention 128 + n. */
const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** The exit code a command's result maps to: its own status, or 128 + signal number. */
export function exitStatusOf(result: Pick<CommandResult, "exitCode" | "signal">): number {
  if (result.exitCode !== null) return result.exitCode;
  return 128 + (SIGNALS[result.signal ?? ""] ?? 1);
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : Number.NaN;
}

async function runExec(
  context: CliContext,
  name: string,
  argv: readonly string[],
  interactive: boolean,
  timeout: string | undefined,
): Promise<void> {
  const { actor, dryRun } = context.globals();
  const { core } = await context.app();
  if (dryRun) {
    const workload = await core.show(actor, name);
    if (isImportedVm(workload)) {
      // exec is refused for imported VMs (only show, start and stop exist for them); say so instead of "would run".
      context.output({ dryRun: true, workload: workload.name, argv, refused: true }, () => [
        `Dry run: ${workload.name} is an imported VM (VMID ${workload.vmid}); voxnix runs no commands in it, so exec would be refused. Nothing was run.`,
      ]);
      context.setExitCode(EXIT_CODE_BY_KIND.conflict);
      return;
    }
    context.output({ dryRun: true, workload: workload.name, argv }, () => [
      `Dry run: would run ${argv.join(" ")} in ${workload.name} (live: ${workload.live}); nothing was run.`,
    ]);
    return;
  }
  const timeoutMs = parseTimeout(timeout) ?? (interactive ? 8 * 3_600_000 : undefined);
  const result = await core.exec(actor, {
    name,
    argv,
    interactive,
    ...(timeoutMs === undefined ? {} : { timeoutMs: Math.min(timeoutMs, 3_600_000) }),
  });
  if (!interactive) {
    if (context.globals().json) {
      context.json({
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: result.stdout,
        stderr: result.stderr,
        truncated: result.truncated,
      });
    } else {
      context.io.stdout(result.stdout);
      context.io.stderr(result.stderr);
    }
  }
  context.setExitCode(exitStatusOf(result));
}

/** Registers `voxnix ctl exec` and `voxnix ctl shell`. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  ctl
    .command("exec")
    .description("Run a command inside a workload; exits with the command's exit status")
    .argument("<name>", "workload name")
    .argument("<command...>", "the command and its arguments (put them after --)")
    .option("--timeout <seconds>", "stop the command after this many seconds (default 60)")
    .usage("<name> [--timeout <seconds>] -- <command...>")
    .action((name: string, command: string[], options: { timeout?: string }) =>
      runExec(context, name, command, false, options.timeout),
    );
  ctl
    .command("shell")
    .description("Open an interactive login shell inside a workload")
    .argument("<name>", "workload name")
    .action((name: string) => runExec(context, name, SHELL_ARGV, true, undefined));
};
