import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createChatPipeline } from "../../../src/agent/pipeline.js";
import { configSchema } from "../../../src/app/config-schema.js";
import { createTelegramBot } from "../../../src/adapters/telegram/bot.js";
import { startWebhook, type WebhookServer } from "../../../src/adapters/telegram/webhook.js";
import { silentLogger } from "../../../src/ports/logger.js";
import { createTestCore } from "../../fakes/core-harness.js";
import { FakeTelegramServer } from "../../fakes/fake-telegram-server.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

const SECRET = "s3cret_Token-1";

describe("telegram webhook mode", () => {
  let server: FakeTelegramServer;
  let webhook: WebhookServer;
  let hookUrl: string;

  before(async () => {
    server = await new FakeTelegramServer().start();
    const test = createTestCore();
    const pipeline = createChatPipeline({
      core: test.core,
      conversations: createConversationsRepository(test.db),
      config: configSchema.parse({}),
      secrets: {},
      logger: silentLogger,
      clock: test.clock,
    });
    const telegram = createTelegramBot({
      token: "123456:TEST",
      core: test.core,
      pipeline,
      logger: silentLogger,
      configuredAdmins: ["telegram:1"],
      apiRoot: server.apiRoot,
      autoRetry: { rethrowHttpErrors: true },
    });
    webhook = await startWebhook(telegram, {
      url: "https://bot.example.org/voxnix/hook",
      port: 0,
      host: "127.0.0.1",
      secretToken: SECRET,
      logger: silentLogger,
    });
    hookUrl = `http://127.0.0.1:${(webhook.server.address() as AddressInfo).port}/voxnix/hook`;
  });
  after(async () => {
    await webhook.close();
    await server.stop();
  });

  const update = (updateId: number, text: string) => ({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      text,
      from: { id: 42, is_bot: false, first_name: "Alice" },
      chat: { id: 42, type: "private" },
      entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }],
    },
  });

  it("registers the webhook with its secret and the command menu", () => {
    const [registration] = server.callsOf("setWebhook");
    assert.equal(registration?.payload.url, "https://bot.example.org/voxnix/hook");
    assert.equal(registration?.payload.secret_token, SECRET);
    assert.ok(server.callsOf("setMyCommands").length >= 1);
  });

  it("refuses updates without the secret token", async () => {
    const response = await fetch(hookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(update(1, "/whoami")),
    });
    assert.equal(response.status, 401);
    const wrong = await fetch(hookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "guess" },
      body: JSON.stringify(update(2, "/whoami")),
    });
    assert.equal(wrong.status, 401);
    assert.equal(server.callsOf("sendMessage").length, 0);
  });

  it("serves only POST on the webhook path", async () => {
    assert.equal((await fetch(hookUrl)).status, 404);
    assert.equal((await fetch(hookUrl.replace("/hook", "/other"), { method: "POST", body: "{}" })).status, 404);
  });

  it("handles an update carrying the secret and answers through the Bot API", async () => {
    const response = await fetch(hookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update(3, "/whoami")),
    });
    assert.equal(response.status, 200);
    const reply = await server.waitFor("the reply", () => server.messagesIn(42)[0]);
    assert.match(reply.text, /telegram:42/);
  });
});
