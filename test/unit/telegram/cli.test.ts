import { createNoticeBoard } from "../../../src/ports/notifier.js";
import { createRuntimeRegistry } from "../../../src/core/runtime-registry.js";
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { App } from "../../../src/app/app.js";
import { configSchema } from "../../../src/app/config-schema.js";
import { runCli } from "../../../src/adapters/cli/main.js";
import { createTestCore } from "../../fakes/core-harness.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";
import { FakeTelegramServer } from "../../fakes/fake-telegram-server.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

const TOKEN = "123456:VALID";

let server: FakeTelegramServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** An app over the core test harness, with the Telegram settings given. */
function testApp(telegram: Record<string, unknown>, token?: string): App {
  const test = createTestCore();
  return {
    config: configSchema.parse({ telegram, users: { admins: ["telegram:1"] } }),
    secrets: token === undefined ? {} : { telegramToken: token },
    stateDir: "/nonexistent/voxnix-test",
    notices: createNoticeBoard(),
    core: test.core,
    catalog: test.catalog,
    runtimes: createRuntimeRegistry([test.backend]),
    storage: test.storage,
    runner: new FakeCommandRunner(),
    db: test.db,
    conversations: createConversationsRepository(test.db),
    logger: test.logger,
    endLiveStreams: () => test.core.endLiveStreams(),
    close: async () => undefined,
  };
}

async function run(app: App) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    isTTY: false,
  };
  const code = await runCli(["telegram"], io, { createApp: async () => app });
  return { code, stdout, stderr };
}

describe("voxnix telegram", () => {
  it("exits 2 and says how to set the token when there is none", async () => {
    const outcome = await run(testApp({}));
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /VOXNIX_TELEGRAM_TOKEN_FILE/);
  });

  it("exits 2 when Telegram refuses the token, without printing it", async () => {
    server = await new FakeTelegramServer({ validToken: TOKEN }).start();
    const outcome = await run(testApp({ apiRoot: server.apiRoot }, "999:WRONG-secret"));
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /refused the bot token/);
    assert.ok(!outcome.stderr.includes("WRONG-secret"));
  });

  it("polls, answers, and stops cleanly on SIGTERM", async () => {
    server = await new FakeTelegramServer({ validToken: TOKEN }).start();
    const running = run(testApp({ apiRoot: server.apiRoot }, TOKEN));
    await server.waitFor("the command menus", () => server!.callsOf("setMyCommands").length === 2);
    server.sendText({ id: 42 }, "/help");
    const reply = await server.waitFor("the help", () => server!.messagesIn(42)[0]);
    assert.match(reply.text, /You can say/);
    process.emit("SIGTERM", "SIGTERM");
    const outcome = await running;
    assert.equal(outcome.code, 0);
    assert.match(outcome.stdout, /is polling/);
    assert.match(outcome.stdout, /SIGTERM received; finishing running jobs/);
    assert.deepEqual(
      server.callsOf("setMyCommands").map((call) => call.payload.scope?.chat_id),
      [undefined, 1],
    );
  });
});
