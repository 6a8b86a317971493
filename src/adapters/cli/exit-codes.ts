/**
 * The one map from failure to exit code for the CLI. Scripts rely on these numbers;
 * docs/cli.md documents them.
 *
 * @module
 */
import { CommanderError } from "commander";
import { VoxnixError, type VoxnixErrorKind } from "../../domain/errors.js";

/** Exit codes, by meaning. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The operation failed (host failure, timeout, conflict, quota, forbidden, anything unexpected). */
  failed: 1,
  /** Invalid input or usage, including configuration errors. */
  usage: 2,
  /** Not found, or not yours (the same answer on purpose). */
  notFound: 3,
  /** Confirmation needed: the plan and the token were printed. */
  needsConfirmation: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Exit code for each core error kind. */
export const EXIT_CODE_BY_KIND = {
  "invalid-input": EXIT.usage,
  "not-found": EXIT.notFound,
  conflict: EXIT.failed,
  quota: EXIT.failed,
  forbidden: EXIT.failed,
  "host-failure": EXIT.failed,
  timeout: EXIT.failed,
} as const satisfies Record<VoxnixErrorKind, ExitCode>;

/** Commander codes that mean "help or version was printed as asked", not a usage error. */
const COMMANDER_SUCCESS_CODES = new Set(["commander.helpDisplayed", "commander.version"]);

/** The error kinds the CLI reports, beyond the core's: bad configuration, bad command line, a bug. */
export type CliErrorKind = VoxnixErrorKind | "config" | "usage" | "internal";

/** Classifies anything thrown by a command. */
export function errorKindOf(error: unknown): CliErrorKind {
  if (VoxnixError.isInstance(error)) return error.kind;
  // Checked by shape so this module does not load the config loader (and its YAML parser) at start-up.
  if (error instanceof Error && error.name === "ConfigError" && (error as { kind?: unknown }).kind === "config")
    return "config";
  if (error instanceof CommanderError) return "usage";
  return "internal";
}

/** The exit code for anything thrown by a command. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return COMMANDER_SUCCESS_CODES.has(error.code) ? EXIT.ok : EXIT.usage;
  const kind = errorKindOf(error);
  if (kind === "config" || kind === "usage") return EXIT.usage;
  if (kind === "internal") return EXIT.failed;
  return EXIT_CODE_BY_KIND[kind];
}
