/**
 * Runs the CLI in-process against the core test harness and captures its output.
 *
 * @module
 */
import type { App } from "../../../src/app/app.js";
import { configSchema } from "../../../src/app/config-schema.js";
import { runCli } from "../../../src/adapters/cli/main.js";
import { createTestCore, type TestCore, type TestCoreOptions } from "../../fakes/core-harness.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";

/** What one CLI run printed and returned. */
export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json(): { ok: boolean; result?: any; error?: any };
}

/** A test core plus a function that runs command lines against it. */
export interface CliHarness extends TestCore {
  readonly appsBuilt: () => number;
  cli(...argv: string[]): Promise<CliOutcome>;
}

/** Creates the harness; every `cli(...)` call is one fresh `runCli` over the same core and database. */
export function createCliHarness(options: TestCoreOptions = {}): CliHarness {
  const harness = createTestCore(options);
  let built = 0;
  const app: App = {
    config: configSchema.parse({}),
    secrets: {},
    stateDir: "/nonexistent/voxnix-test",
    core: harness.core,
    catalog: harness.catalog,
    backend: harness.backend,
    storage: harness.storage,
    runner: new FakeCommandRunner(),
    db: harness.db,
    logger: harness.logger,
    close: async () => undefined,
  };
  return {
    ...harness,
    appsBuilt: () => built,
    async cli(...argv) {
      let stdout = "";
      let stderr = "";
      const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text), isTTY: false };
      const code = await runCli(argv, io, {
        createApp: async () => {
          built += 1;
          return app;
        },
      });
      await harness.core.idle();
      return { code, stdout, stderr, json: () => JSON.parse(stdout) };
    },
  };
}
