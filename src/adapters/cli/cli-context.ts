/**
 * The `CliContext` implementation for one run of the CLI: it holds the parsed global options,
 * builds the app on first use (and prepares the `--as` actor), writes output in the
 * `--json` or human form, and records the exit code.
 *
 * @module
 */
import { needsConfirmationBody } from "../../api/outcome.js";
import { renderConfirmation, renderPlan } from "./plan-views.js";
import type { App } from "../../app/app.js";
import type { CliContext, CliIo, GlobalOptions, ProgressDisplay } from "./context.js";
import { createProgressDisplay } from "./progress.js";
import { EXIT } from "./exit-codes.js";

/** The local administrator: who runs the CLI unless `--as` says otherwise. */
export const LOCAL_ADMIN_ID = "local:admin";

/** A context plus what `main.ts` needs to finish the run. */
export interface CliRun extends CliContext {
  /** Called once commander has parsed the global options. */
  setGlobals(globals: GlobalOptions): void;
  /** The exit code set by commands (0 unless `setExitCode` was called). */
  exitCode(): number;
  /** The app, if a command built it. */
  builtApp(): Promise<App> | undefined;
}

const DEFAULT_GLOBALS: GlobalOptions = { actor: { userId: LOCAL_ADMIN_ID }, json: false, dryRun: false, yes: false };

/** Creates the context for one run; `buildApp` is called at most once, on the first `app()`. */
export function createCliRun(io: CliIo, buildApp: () => Promise<App>): CliRun {
  let globals = DEFAULT_GLOBALS;
  let exitCode = 0;
  let appPromise: Promise<App> | undefined;

  const run: CliRun = {
    io,
    globals: () => globals,
    setGlobals(value) {
      globals = value;
    },
    app() {
      appPromise ??= buildApp().then(async (app) => {
        await prepareActor(app, globals, (line) => run.warn(line));
        return app;
      });
      return appPromise;
    },
    builtApp: () => appPromise,
    say(line) {
      if (!globals.json) io.stdout(`${line}\n`);
    },
    json(value) {
      if (globals.json) io.stdout(`${stableJson({ ok: true, result: value })}\n`);
    },
    output(value, human) {
      if (globals.json) {
        run.json(value);
        return;
      }
      const lines = human(value);
      for (const line of typeof lines === "string" ? [lines] : lines) run.say(line);
    },
    needsConfirmation(outcome) {
      exitCode = EXIT.needsConfirmation;
      if (globals.json) io.stdout(`${stableJson({ ok: false, error: needsConfirmationBody(outcome) })}\n`);
      else for (const line of renderConfirmation(outcome)) io.stdout(`${line}\n`);
    },
    planned(outcome) {
      run.output({ dryRun: true, ...outcome.plan }, () => renderPlan(outcome));
    },
    warn(line) {
      io.stderr(`${line}\n`);
    },
    setExitCode(code) {
      exitCode = code;
    },
    exitCode: () => exitCode,
    progress: (initialMessage): Promise<ProgressDisplay> => createProgressDisplay(io, globals.json, initialMessage),
  };
  return run;
}

/**
 * `--as X` is the local admin acting as X. What that implies (X registered, a pending X
 * approved, a denied X left denied) is the core's `impersonate` rule; the CLI only says so.
 */
async function prepareActor(app: App, globals: GlobalOptions, notice: (line: string) => void): Promise<void> {
  if (globals.actor.userId === LOCAL_ADMIN_ID) return;
  const { user, approved } = await app.core.impersonate({ userId: LOCAL_ADMIN_ID }, globals.actor.userId);
  if (approved) notice(`notice: approved ${user.id} (as local:admin) so the command can run as that user.`);
}

/** JSON for `--json`: one line, dates as ISO strings, sets as arrays, maps as objects. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Set) return [...(item as Set<unknown>)];
    if (item instanceof Map) return Object.fromEntries(item as Map<string, unknown>);
    if (typeof item === "bigint") return item.toString();
    return item;
  });
}
