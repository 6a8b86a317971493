/**
 * The host toolbox's command helpers, shared by every runtime and storage driver: every call
 * goes through the injected `CommandRunner` with a timeout, and every failure leaves here
 * classified as a `TimeoutError` or a `HostFailureError` whose message a person can read and
 * whose `detail` holds the program's own words for the admin.
 *
 * @module
 */
import { HostFailureError, TimeoutError, VoxnixError } from "../domain/errors.js";
import type { CommandOptions, CommandResult, CommandRunner } from "../ports/command-runner.js";
import type { ProgressListener } from "../ports/runtime.js";

/** What a call is for, in words ("Starting the container \"dev\""), plus the runner options. */
export interface HostCall extends CommandOptions {
  readonly action: string;
}

/** Longest program output kept in an error's `detail`. */
const MAX_DETAIL_CHARS = 64 * 1024;

/**
 * Runs a host command and returns its result whatever the exit status; throws a classified
 * error only when the program could not run or ran out of time.
 */
export async function runHost(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  call: HostCall,
): Promise<CommandResult> {
  const { action, ...options } = call;
  let result: CommandResult;
  try {
    result = await runner.run(command, args, options);
  } catch (error) {
    if (error instanceof TimeoutError) throw timeoutError(action, call.timeoutMs, error);
    if (error instanceof HostFailureError) {
      throw new HostFailureError(`${action} failed: ${error.message}`, error.detail ?? `${command} ${args.join(" ")}`, {
        cause: error,
      });
    }
    if (VoxnixError.isInstance(error)) throw error;
    throw new HostFailureError(`${action} failed: ${command} could not be run.`, describeUnknown(error), {
      cause: error,
    });
  }
  if (result.timedOut) throw timeoutError(action, call.timeoutMs);
  return result;
}

/** Runs a host command and throws a `HostFailureError` unless it exits with status 0. */
export async function runHostChecked(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  call: HostCall,
): Promise<CommandResult> {
  const result = await runHost(runner, command, args, call);
  if (result.exitCode !== 0) throw commandFailure(call.action, result);
  return result;
}

/** Builds the error for a command that ran and failed. */
export function commandFailure(action: string, result: CommandResult, summary?: string): HostFailureError {
  const said = summary ?? firstMeaningfulLine(result.stderr) ?? firstMeaningfulLine(result.stdout);
  const status =
    result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}`;
  const message = said ? `${action} failed: ${said}` : `${action} failed: ${result.command} ${status}.`;
  return new HostFailureError(message, outputDetail(result));
}

/** The program's output for an error's `detail`: the command, stderr and stdout, bounded. */
export function outputDetail(result: CommandResult): string {
  const text = [
    `$ ${result.command} ${result.args.join(" ")} (exit ${result.exitCode ?? result.signal ?? "?"})`,
    result.stderr.trim(),
    result.stdout.trim(),
  ]
    .filter((part) => part.length > 0)
    .join("\n");
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}\n… (truncated)` : text;
}

/** The first non-empty line of `text` without terminal colour codes, or undefined. */
export function firstMeaningfulLine(text: string): string | undefined {
  for (const line of stripAnsi(text).split("\n")) {
    const trimmed = line.trim();
    if (trimmed.length > 0) return trimmed;
  }
  return undefined;
}

/** Removes ANSI escape sequences (nix colours its errors when it thinks it has a terminal). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");
}

/** Seconds, for messages. */
export function formatSeconds(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}

function timeoutError(action: string, timeoutMs: number, cause?: unknown): TimeoutError {
  return new TimeoutError(
    `${action} did not finish within ${formatSeconds(timeoutMs)} and was stopped.`,
    timeoutMs,
    cause === undefined ? undefined : { cause },
  );
}

function describeUnknown(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Quick checked commands (btrfs, ip, mount): a short default timeout and a "Could not …" message.

/** Options for `runChecked`: the runner's options plus a human description of the step. */
export interface CheckedOptions extends Partial<CommandOptions> {
  /** Words for the error message, e.g. "create the workspace subvolume". */
  readonly what: string;
}

/** Default timeout for quick host commands (btrfs, ip, mount). */
export const QUICK_TIMEOUT_MS = 30_000;

/** Runs `command args`, resolving with its result when it exits 0, else throwing `HostFailureError`. */
export async function runChecked(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  options: CheckedOptions,
): Promise<CommandResult> {
  const { what, ...rest } = options;
  const result = await runner.run(command, args, { timeoutMs: QUICK_TIMEOUT_MS, ...rest });
  if (result.exitCode !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" | ");
    throw new HostFailureError(
      `Could not ${what}: ${command} exited with ${result.exitCode ?? result.signal}.`,
      `${command} ${args.join(" ")}: ${output}`,
    );
  }
  return result;
}

/** Runs a command and returns whether it exited 0, never throwing for a non-zero exit or a missing program. */
export async function runOk(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  timeoutMs = QUICK_TIMEOUT_MS,
): Promise<boolean> {
  try {
    const result = await runner.run(command, args, { timeoutMs });
    return result.exitCode === 0;
  } catch {
    return false;
  }
}

/**
 * An `onOutput` callback that turns a program's output into one progress `log` event per
 * non-empty line (long builds such as debootstrap show what they are doing).
 */
export function progressLines(onProgress: ProgressListener): (stream: "stdout" | "stderr", chunk: string) => void {
  let pending = "";
  return (_stream, chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") onProgress({ type: "log", line: line.trim() });
  };
}
