/**
 * The commander program: name, version, global options, and every command module from
 * `commands/index.ts`. Output and exits are routed through the run's `io` so the CLI can run
 * in-process (tests) without touching `process`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { InvalidInputError } from "../../domain/errors.js";
import { isUserId } from "../../domain/identity.js";
import { COMMAND_MODULES } from "./commands/index.js";
import type { CliIo, GlobalOptions } from "./context.js";
import { LOCAL_ADMIN_ID, type CliRun } from "./cli-context.js";

/** The long-running commands (`voxnix serve` and its one-service shortcuts). */
const SERVICES = new Set(["serve", "telegram", "http", "ssh-gateway"]);

/** Builds the program for one run. */
export function buildProgram(run: CliRun, io: CliIo): Command {
  const program = new Command("voxnix")
    .description("Talk to your infrastructure: containers for you and your people, from chat or the terminal.")
    .version(readVersion(), "-V, --version", "print the voxnix version")
    .addOption(
      new Option("--as <channel:id>", "act as this user (the local admin impersonating them)").default(LOCAL_ADMIN_ID),
    )
    .option("--json", "print machine-readable JSON on stdout", false)
    .option("--dry-run", "show what a mutating command would do, and touch nothing", false)
    .option("-y, --yes", "confirm destructive operations (destroy) without asking", false)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program.hook("preAction", (_program, action) => {
    const globals = parseGlobals(action.optsWithGlobals());
    // A daemon has nothing to plan, and running it would reconcile and serve for real.
    if (globals.dryRun && action.parent === program && SERVICES.has(action.name())) {
      throw new InvalidInputError([
        { path: "--dry-run", message: `voxnix ${action.name()} runs services; it has no dry run.` },
      ]);
    }
    run.setGlobals(globals);
  });

  for (const module of COMMAND_MODULES) module.register(program, run);
  return program;
}

/** Validates the global options; a malformed `--as` is an input error (exit 2). */
export function parseGlobals(options: Record<string, unknown>): GlobalOptions {
  const as = typeof options.as === "string" ? options.as : LOCAL_ADMIN_ID;
  if (!isUserId(as)) {
    throw new InvalidInputError([
      { path: "--as", message: `"${as}" is not a user id; write it like telegram:123, local:admin or web:tok_1.` },
    ]);
  }
  return {
    actor: { userId: as },
    json: options.json === true,
    dryRun: options.dryRun === true,
    yes: options.yes === true,
  };
}

/** voxnix's version from package.json ("unknown" when it cannot be read). */
export function readVersion(): string {
  try {
    // src/adapters/cli and dist/adapters/cli are both three levels below the package root.
    const text = readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}
