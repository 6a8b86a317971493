/**
 * The CLI entry point. `runCli` runs one command line in-process and returns the exit code;
 * it maps every failure once (`exit-codes.ts`), prints one error line (or the `--json` error
 * shape), and closes the app it built. `bin/voxnix.js` calls `main()`.
 *
 * @module
 */
import { createInterface } from "node:readline/promises";
import { CommanderError } from "commander";
import { VoxnixError } from "../../domain/errors.js";
import type { App } from "../../app/app.js";
import { createCliRun, stableJson } from "./cli-context.js";
import type { CliIo } from "./context.js";
import { errorKindOf, exitCodeFor, EXIT } from "./exit-codes.js";
import { buildProgram } from "./program.js";
import { renderError } from "./render.js";

export interface RunCliOverrides {
  /** Builds the app instead of the composition root (tests pass the core harness). The caller owns and closes it. */
  readonly createApp?: () => Promise<App>;
  /** Environment for the configuration (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where the nixos backend finds the host's files (default `/`). Only for contract tests that
   * run the built CLI over the fake host programs (test/fakes/bin/voxnix-fake-host.mjs); no
   * configuration or environment variable reaches it.
   */
  readonly nixosHostRoot?: string;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
    stderrStream: process.stderr,
    ...(process.stdin.isTTY === true && process.stderr.isTTY === true ? { ask: askOnTerminal } : {}),
    streams: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  };
}

/** One question on the terminal (prompt on stderr, so `--json` output stays clean). */
async function askOnTerminal(question: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}

/**
 * Runs one command line (`argv` without `node` and the script) and resolves with its exit code.
 *
 * @example
 * const code = await runCli(["ctl", "list", "--json"], io, { createApp: async () => testApp });
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  overrides: RunCliOverrides = {},
): Promise<number> {
  const ownsApp = overrides.createApp === undefined;
  const run = createCliRun(
    io,
    overrides.createApp ?? (() => buildRealApp(overrides.env ?? process.env, overrides.nixosHostRoot)),
  );
  const program = buildProgram(run, io);
  const json = argv.includes("--json");
  let code: number;
  try {
    await program.parseAsync([...argv], { from: "user" });
    code = run.exitCode();
  } catch (error) {
    code = exitCodeFor(error);
    // Commander already printed its own usage message (or the help) through `io`.
    if (!(error instanceof CommanderError)) printFailure(error, io, json);
    else if (json && code !== EXIT.ok)
      io.stdout(
        `${stableJson({ ok: false, error: { kind: "usage", message: error.message.replace(/^error: /, "") } })}\n`,
      );
  } finally {
    if (ownsApp) await closeQuietly(run.builtApp(), io);
  }
  return code;
}

/** Runs the CLI on `process.argv` and sets `process.exitCode` (letting pending output drain). */
export async function main(): Promise<void> {
  // `voxnix ctl list | head -1` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw error;
  });
  process.exitCode = await runCli(process.argv.slice(2));
}

async function buildRealApp(
  env: Readonly<Record<string, string | undefined>>,
  nixosHostRoot: string | undefined,
): Promise<App> {
  const [{ loadConfig }, { createApp }] = await Promise.all([
    import("../../app/config.js"),
    import("../../app/create-app.js"),
  ]);
  return createApp({ loadedConfig: loadConfig({ env }), ...(nixosHostRoot === undefined ? {} : { nixosHostRoot }) });
}

function printFailure(error: unknown, io: CliIo, json: boolean): void {
  if (json) {
    io.stdout(`${stableJson({ ok: false, error: jsonError(error) })}\n`);
    return;
  }
  for (const line of renderError(error)) io.stderr(`${line}\n`);
}

/** The `error` member of the `--json` failure shape (documented in docs/cli.md). */
export function jsonError(error: unknown): Record<string, unknown> {
  const kind = errorKindOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const shape: Record<string, unknown> = { kind, message };
  if (VoxnixError.isInstance(error)) {
    if (error.kind === "invalid-input") shape.issues = error.issues;
    if (error.kind === "host-failure" && error.detail) shape.detail = error.detail;
  } else if (kind === "config") {
    shape.issues = (error as { issues?: unknown }).issues;
  }
  return shape;
}

async function closeQuietly(app: Promise<App> | undefined, io: CliIo): Promise<void> {
  if (!app) return;
  try {
    await (await app).close();
  } catch (error) {
    // Building the app failed (already reported) or closing failed; neither changes the exit code.
    if (
      !(await app.then(
        () => true,
        () => false,
      ))
    )
      return;
    io.stderr(`warning: closing voxnix failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
