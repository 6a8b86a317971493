/**
 * What every CLI command receives: global options, output helpers and a lazily built app,
 * so `--help` and usage errors never open the database or load heavy modules.
 *
 * @module
 */
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

export interface CliContext {
  /** Parsed global options (valid after commander parsed argv). */
  globals(): GlobalOptions;
  /** Builds the app on first call (config, database, backend, core) and reuses it. */
  app(): Promise<App>;
  /** Prints a human line to stdout (suppressed in `--json` mode). */
  say(line: string): void;
  /** Prints a value as stable JSON on stdout (only in `--json` mode). */
  json(value: unknown): void;
}

/** A CLI command module: adds its subcommand(s) to the program. One module per command family. */
export type RegisterCommand = (program: Command, context: CliContext) => void;
