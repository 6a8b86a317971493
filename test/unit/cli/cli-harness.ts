/**
 * Runs the CLI in-process against the core test harness and captures its output.
 *
 * @module
 */
import { createNoticeBoard } from "../../../src/ports/notifier.js";
import { createRuntimeRegistry } from "../../../src/core/runtime-registry.js";
import { Writable } from "node:stream";
import type { App } from "../../../src/app/app.js";
import { configSchema } from "../../../src/app/config-schema.js";
import { runCli } from "../../../src/adapters/cli/main.js";
import { createTestCore, type TestCore, type TestCoreOptions } from "../../fakes/core-harness.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

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
  /** Like `cli`, but as if on a terminal: progress goes to a spinner on the returned `terminal` text. */
  cliOnTerminal(...argv: string[]): Promise<CliOutcome & { readonly terminal: string }>;
  /** Like `cliOnTerminal`, with a person at the keyboard who gives `answers` in order; `asked` is what they were asked. */
  cliAnswering(
    answers: readonly string[],
    ...argv: string[]
  ): Promise<CliOutcome & { readonly asked: readonly string[] }>;
}

/** Creates the harness; every `cli(...)` call is one fresh `runCli` over the same core and database. */
export function createCliHarness(options: TestCoreOptions = {}): CliHarness {
  const harness = createTestCore(options);
  let built = 0;
  const app: App = {
    config: configSchema.parse({}),
    secrets: {},
    stateDir: "/nonexistent/voxnix-test",
    notices: createNoticeBoard(),
    core: harness.core,
    catalog: harness.catalog,
    runtimes: createRuntimeRegistry([harness.backend]),
    storage: harness.storage,
    runner: new FakeCommandRunner(),
    db: harness.db,
    conversations: createConversationsRepository(harness.db),
    logger: harness.logger,
    endLiveStreams: () => harness.core.endLiveStreams(),
    close: async () => undefined,
  };
  const run = async (argv: string[], terminal?: Writable, ask?: (question: string) => Promise<string>) => {
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: (text: string) => void (stdout += text),
      stderr: (text: string) => void (stderr += text),
      isTTY: terminal !== undefined,
      ...(terminal ? { stderrStream: terminal } : {}),
      ...(ask ? { ask } : {}),
    };
    const code = await runCli(argv, io, {
      createApp: async () => {
        built += 1;
        return app;
      },
    });
    await harness.core.idle();
    return { code, stdout, stderr, json: () => JSON.parse(stdout) };
  };
  return {
    ...harness,
    appsBuilt: () => built,
    cli: (...argv) => run(argv),
    async cliOnTerminal(...argv) {
      let terminal = "";
      const stream = new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          terminal += chunk.toString();
          callback();
        },
      });
      // The tty.WriteStream methods a spinner uses, as no-ops.
      const cursor = (..._args: unknown[]) => true;
      const outcome = await run(
        argv,
        Object.assign(stream, {
          isTTY: true,
          columns: 80,
          cursorTo: cursor,
          moveCursor: cursor,
          clearLine: cursor,
          clearScreenDown: cursor,
        }),
      );
      return { ...outcome, terminal };
    },
    async cliAnswering(answers, ...argv) {
      const asked: string[] = [];
      const queue = [...answers];
      const outcome = await run(
        argv,
        new Writable({ write: (_chunk, _encoding, callback) => callback() }),
        async (question) => {
          asked.push(question);
          return queue.shift() ?? "";
        },
      );
      return { ...outcome, asked };
    },
  };
}
