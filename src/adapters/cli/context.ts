/**
 * What every CLI command receives: global options, output helpers and a lazily built app,
 * so `--help` and usage errors never open the database or load heavy modules.
 *
 * How a command module is written (see `commands/index.ts` for the list):
 * - it exports `register: RegisterCommand`, which adds its subcommand(s) to the program;
 *   commands under `voxnix ctl …` or `voxnix images …` attach to the shared group with
 *   `commandGroup(program, "ctl")` from `groups.ts`;
 * - command modules are imported at start-up, so they import only types and light helpers at
 *   the top and load heavy modules (grammy, ai, ora, the agent, backends) inside the action
 *   with `await import(…)`;
 * - an action throws a `VoxnixError` (or `ConfigError`) to fail: `main.ts` maps the kind to
 *   the exit code once (`exit-codes.ts`) and prints one error line (or the `--json` shape);
 *   a result is printed with `context.say` (human) or `context.json` (`--json`) — or, for the
 *   common case, with `context.output(value, renderHuman)`.
 *
 * @module
 */
import type { NeedsConfirmation, Planned } from "../../api/outcome.js";
import type { Command } from "commander";
import type { App } from "../../app/app.js";
import type { Actor } from "../../domain/identity.js";

export interface GlobalOptions {
  /** The actor, from `--as` (default `local:admin`). */
  readonly actor: Actor;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly yes: boolean;
}

/** Where the CLI reads and writes; `main.ts` uses the process streams, tests capture them. */
export interface CliIo {
  /** Writes text to standard output as is (callers add newlines). */
  readonly stdout: (text: string) => void;
  /** Writes text to standard error as is. */
  readonly stderr: (text: string) => void;
  /** True when standard output is an interactive terminal (spinners, colours, prompts). */
  readonly isTTY: boolean;
  /** The stream behind `stderr`, for a terminal spinner (absent in tests). */
  readonly stderrStream?: NodeJS.WritableStream;
  /** Asks the person at the terminal and resolves with their answer; absent unless standard input and output are a terminal. */
  readonly ask?: (question: string) => Promise<string>;
  /**
   * The process's own streams, for joining a session in a workload to them (`ctl shell`,
   * `ctl exec`); absent in tests, where a session's input is empty and its output goes to
   * `stdout` and `stderr` above.
   */
  readonly streams?: LocalStreams;
}

/** This process's standard streams as `ctl shell` joins them to a session. */
export interface LocalStreams {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** A progress display for a long operation: a spinner on a terminal, plain lines otherwise, nothing with `--json`. */
export interface ProgressDisplay {
  /** Shows the current step. */
  update(message: string): void;
  /** Shows a log line from the operation without disturbing the step display. */
  log(line: string): void;
  /** Ends the display with a final line (success or failure). */
  end(outcome: "succeeded" | "failed", message: string): void;
}

export interface CliContext {
  /** Parsed global options (valid after commander parsed argv). */
  globals(): GlobalOptions;
  /** Builds the app on first call (config, database, backend, core) and reuses it. */
  app(): Promise<App>;
  /** Prints a human line to stdout (suppressed in `--json` mode). */
  say(line: string): void;
  /** Prints a value as stable JSON on stdout (only in `--json` mode): `{"ok":true,"result":value}`. */
  json(value: unknown): void;
  /** Prints `value` as `{"ok":true,"result":value}` with `--json`, else the lines from `human(value)`. */
  /** Shows a plan waiting for confirmation (the token, how to confirm) and exits 4. */
  needsConfirmation(outcome: NeedsConfirmation): void;
  /** Shows a dry run's plan ("nothing was changed"). */
  planned(outcome: Planned): void;
  output<T>(value: T, human: (value: T) => string | readonly string[]): void;
  /** Prints a notice to stderr (also in `--json` mode, whose stdout stays machine-readable). */
  warn(line: string): void;
  /** Sets the exit code of this run without throwing (for example 1 when `doctor` finds problems). */
  setExitCode(code: number): void;
  /** Starts a progress display for a long operation (spinner on a TTY, plain lines otherwise, silent with `--json`). */
  progress(initialMessage: string): Promise<ProgressDisplay>;
  /** The streams of this run. */
  readonly io: CliIo;
}

/** A CLI command module: adds its subcommand(s) to the program. One module per command family. */
export type RegisterCommand = (program: Command, context: CliContext) => void;
