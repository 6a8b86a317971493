/**
 * `voxnix ctl exec <name> -- <command…>` runs a command inside one of your workloads, its
 * output streamed as it comes and your standard input passed in, and exits with its exit
 * status (`--tty` gives it a terminal; `--json` captures the output into one document through
 * `core.exec`). `voxnix ctl shell <name>` opens the workload's login shell on your terminal
 * (fish when the workload has the fish module). Both stream through `core.openSession`, the
 * one interactive path the SSH gateway and the browser terminal also take, so only the owner
 * and admins can use them, and both are audited.
 *
 * @module
 */
import { InvalidInputError, TimeoutError } from "../../../domain/errors.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { joinSession, localTerminal } from "../local-session.js";
import { commandGroup } from "../groups.js";
import { EXEC_TIMEOUT, SHELL_MAX_MS } from "../../../core/api.js";

/** Signal numbers for the usual terminations, for the shell convention 128 + n. */
const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** The exit code a command's result maps to: its own status, or 128 + signal number. */
export function exitStatusOf(result: { readonly exitCode: number | null; readonly signal: string | null }): number {
  if (result.exitCode !== null) return result.exitCode;
  return 128 + (SIGNALS[result.signal ?? ""] ?? 1);
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : Number.NaN;
}

/** What `ctl exec` and `ctl shell` run. */
type Run =
  | { readonly kind: "exec"; readonly argv: readonly string[]; readonly tty: boolean; readonly timeout?: string }
  | { readonly kind: "shell" };

async function run(context: CliContext, name: string, what: Run): Promise<void> {
  const { actor, dryRun, json } = context.globals();
  const { core } = await context.app();
  const command = what.kind === "shell" ? ({ kind: "shell" } as const) : { kind: "argv" as const, argv: what.argv };
  if (dryRun) {
    // The core's own checks (owner, state, what the runtime can do), nothing started or run.
    context.planned(await core.plan(actor, { operation: "openSession", name, command }));
    return;
  }
  const timeoutMs = what.kind === "exec" ? parseTimeout(what.timeout) : undefined;
  if (timeoutMs !== undefined && Number.isNaN(timeoutMs))
    throw new InvalidInputError([{ path: "timeout", message: "--timeout takes a number of seconds above 0." }]);
  if (what.kind === "exec" && json) {
    // --json captures the output into one document, so it runs as one `exec`.
    const result = await core.exec(actor, {
      name,
      argv: what.argv,
      ...(timeoutMs === undefined ? {} : { timeoutMs: Math.min(timeoutMs, EXEC_TIMEOUT.maxMs) }),
    });
    context.json({
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      truncated: result.truncated,
    });
    context.setExitCode(exitStatusOf(result));
    return;
  }
  // Everything else streams through the one interactive path, joined to this terminal.
  const terminal = what.kind === "shell" || what.tty ? localTerminal(context.io) : undefined;
  if (what.kind === "exec" && what.tty && terminal === undefined)
    throw new InvalidInputError([{ path: "tty", message: "--tty needs standard input and output to be a terminal." }]);
  const sessionTimeoutMs =
    what.kind === "shell" ? SHELL_MAX_MS : Math.min(timeoutMs ?? EXEC_TIMEOUT.defaultMs, EXEC_TIMEOUT.maxMs);
  const session = await core.openSession(actor, {
    name,
    command,
    via: "cli",
    timeoutMs: sessionTimeoutMs,
    ...(terminal === undefined ? {} : { terminal }),
    onWake: (message) => context.warn(message),
  });
  const exit = await joinSession(session, context.io, { raw: terminal !== undefined });
  if (exit.timedOut)
    throw new TimeoutError(
      `The command in ${name} did not finish within ${sessionTimeoutMs / 1000} s and was stopped.`,
      sessionTimeoutMs,
    );
  context.setExitCode(exitStatusOf(exit));
}

/** Registers `voxnix ctl exec` and `voxnix ctl shell`. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  ctl
    .command("exec")
    .description("Run a command inside a workload; exits with the command's exit status")
    .argument("<name>", "workload name")
    .argument("<command...>", "the command and its arguments (put them after --)")
    .option("--timeout <seconds>", "stop the command after this many seconds (default 60, at most 3600)")
    .option("-t, --tty", "run the command on a terminal (full-screen programs such as htop or vim)")
    .usage("<name> [--timeout <seconds>] [--tty] -- <command...>")
    .action((name: string, command: string[], options: { timeout?: string; tty?: boolean }) =>
      run(context, name, {
        kind: "exec",
        argv: command,
        tty: options.tty === true,
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      }),
    );
  ctl
    .command("shell")
    .description("Open an interactive login shell inside a workload")
    .argument("<name>", "workload name")
    .action((name: string) => run(context, name, { kind: "shell" }));
};
