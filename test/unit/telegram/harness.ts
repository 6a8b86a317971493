/**
 * Test set-up for the Telegram bot: the fake Bot API on loopback, a real core from
 * `createTestCore`, the real chat pipeline (offline engine, no model configured), and a real
 * grammY bot (runner, throttler, auto-retry) pointed at the fake with `apiRoot`.
 *
 * @module
 */
import type { ChatPipeline } from "../../../src/agent/pipeline-api.js";
import { createTelegramBot, type TelegramBot, type TelegramBotOptions } from "../../../src/adapters/telegram/bot.js";
import { silentLogger } from "../../../src/ports/logger.js";
import { createTestCore, type TestCore, type TestCoreOptions } from "../../fakes/core-harness.js";
import { FakeTelegramServer, type FakeMessage } from "../../fakes/fake-telegram-server.js";
import { createChatPipeline } from "../../../src/agent/pipeline.js";
import { configSchema } from "../../../src/app/config-schema.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

/** Telegram users of the test policy (see core-harness): 1 is an admin, 42 and 43 are allowlisted, 99 is pending. */
export const ADMIN = { id: 1, firstName: "Ada" };
export const ALICE = { id: 42, firstName: "Alice" };
export const BOB = { id: 43, firstName: "Bob" };
export const NEWCOMER = { id: 99, firstName: "<Eve & co>" };

export interface BotHarness {
  readonly server: FakeTelegramServer;
  readonly test: TestCore;
  readonly pipeline: ChatPipeline;
  readonly telegram: TelegramBot;
  /** Sends `text` as `user` and resolves with the first new bot message in their chat that matches. */
  say(
    user: { id: number; firstName?: string },
    text: string,
    match?: (message: FakeMessage) => boolean,
  ): Promise<FakeMessage>;
  close(): Promise<void>;
}

/** Starts everything. Throttling and progress pacing are shortened so tests run quickly. */
export async function startBot(
  options: {
    core?: TestCoreOptions;
    pipeline?: (test: TestCore) => ChatPipeline;
    bot?: Partial<TelegramBotOptions>;
  } = {},
): Promise<BotHarness> {
  const server = await new FakeTelegramServer().start();
  const test = createTestCore(options.core);
  const pipeline = options.pipeline
    ? options.pipeline(test)
    : createChatPipeline({
        core: test.core,
        conversations: createConversationsRepository(test.db),
        config: configSchema.parse({}),
        secrets: {},
        logger: silentLogger,
        clock: test.clock,
      });
  const telegram = createTelegramBot({
    token: "123456:TEST-token",
    core: test.core,
    pipeline,
    logger: silentLogger,
    configuredAdmins: ["telegram:1"],
    clock: test.clock,
    apiRoot: server.apiRoot,
    progressIntervalMs: 20,
    throttle: { global: { maxConcurrent: 10 }, group: { maxConcurrent: 1 }, out: { maxConcurrent: 1 } },
    pollingTimeoutSeconds: 1,
    // After the fake stops, a late call must fail at once rather than retry for minutes.
    autoRetry: { rethrowHttpErrors: true },
    ...options.bot,
  });
  await telegram.start();
  return {
    server,
    test,
    pipeline,
    telegram,
    async say(user, text, match = () => true) {
      const before = new Set(server.messagesIn(user.id).map((message) => message.messageId));
      server.sendText(user, text);
      return server.waitFor(`a reply to ${JSON.stringify(text)}`, () =>
        server.messagesIn(user.id).find((message) => !before.has(message.messageId) && match(message)),
      );
    },
    async close() {
      // Not `settled()`: a failed test may leave a job held forever.
      await telegram.stop();
      await server.stop();
    },
  };
}
