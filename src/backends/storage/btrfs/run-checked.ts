/**
 * A small helper shared by the btrfs, dir and nspawn code: run a host program through the
 * `CommandRunner` and turn a non-zero exit into a `HostFailureError` that says what failed.
 *
 * @module
 */
import { HostFailureError } from "../../../domain/errors.js";
import type { CommandOptions, CommandResult, CommandRunner } from "../../../ports/command-runner.js";

/** Options for `runChecked`: the runner's options plus a human description of the step. */
export interface CheckedOptions extends Partial<CommandOptions> {
  /** Words for the error message, e.g. "create the workspace subvolume". */
  readonly what: string;
}

/** Default timeout for quick host commands (btrfs, ip, mount). */
export const QUICK_TIMEOUT_MS = 30_000;

/** Runs `command args`, resolving with its result when it exits 0, else throwing `HostFailureError`. */
export async function runChecked(runner: CommandRunner, command: string, args: readonly string[], options: CheckedOptions): Promise<CommandResult> {
  const { what, ...rest } = options;
  const result = await runner.run(command, args, { timeoutMs: QUICK_TIMEOUT_MS, ...rest });
  if (result.exitCode !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" | ");
    throw new HostFailureError(`Could not ${what}: ${command} exited with ${result.exitCode ?? result.signal}.`, `${command} ${args.join(" ")}: ${output}`);
  }
  return result;
}

/** Runs a command and returns whether it exited 0, never throwing for a non-zero exit or a missing program. */
export async function runOk(runner: CommandRunner, command: string, args: readonly string[], timeoutMs = QUICK_TIMEOUT_MS): Promise<boolean> {
  try {
    const result = await runner.run(command, args, { timeoutMs });
    return result.exitCode === 0;
  } catch {
    return false;
  }
}
