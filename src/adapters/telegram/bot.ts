/**
 * Builds the Telegram bot: grammY with the throttler (outgoing rate limits) and auto-retry
 * (honours 429 `retry_after` and retries 5xx) API transformers, per-chat ordering, the
 * handlers, `bot.catch`, and long polling through `@grammyjs/runner`. `start()` registers
 * the command menus and begins polling; `stop()` ends polling cleanly.
 *
 * @module
 */
import { Bot } from "grammy";
import { autoRetry, type AutoRetryOptions } from "@grammyjs/auto-retry";
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { apiThrottler, type APIThrottlerOptions } from "@grammyjs/transformer-throttler";
import type { ChatPipeline } from "../../agent/pipeline-api.js";
import type { Core } from "../../core/api.js";
import type { UserId } from "../../domain/identity.js";
import { systemClock, type Clock } from "../../ports/clock.js";
import type { Logger } from "../../ports/logger.js";
import { Admission } from "./admission.js";
import { registerCommands } from "./commands.js";
import { ConfirmationButtons } from "./confirmations.js";
import { installHandlers } from "./handlers.js";
import { installErrorHandler } from "./on-error.js";
import { PROGRESS_INTERVAL_MS } from "./progress.js";

export interface TelegramBotOptions {
  /** The bot token from BotFather (a secret; never logged). */
  readonly token: string;
  readonly core: Core;
  readonly pipeline: ChatPipeline;
  readonly logger: Logger;
  /** `users.admins` from the configuration; Telegram ones get approval requests and the admin menu. */
  readonly configuredAdmins: readonly UserId[];
  readonly clock?: Clock;
  /** A local Bot API server or a test fake instead of api.telegram.org. */
  readonly apiRoot?: string;
  /** Minimum milliseconds between edits of one progress message (default 1,500). */
  readonly progressIntervalMs?: number;
  /** Throttler limits; the defaults follow Telegram's published limits. */
  readonly throttle?: APIThrottlerOptions;
  readonly autoRetry?: Partial<AutoRetryOptions>;
  /** Long-polling timeout in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
}

/** A built bot: the grammY instance plus lifecycle. */
export interface TelegramBot {
  readonly bot: Bot;
  /** Registers command menus and starts long polling; resolves once polling runs. */
  start(): Promise<void>;
  /** Stops polling and waits for it to end. Jobs keep running in the core. */
  stop(): Promise<void>;
  /** Resolves when every progress message shown so far has its final result (for tests and shutdown). */
  settled(): Promise<void>;
  /** Installs the command menus (called by `start`, and by the webhook mode). */
  registerCommands(): Promise<void>;
}

/** Builds the bot; nothing talks to Telegram until `start()` or `bot.init()`. */
export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const logger = options.logger.child({ component: "telegram" });
  const bot = new Bot(options.token, options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {});
  // Throttle first, then retry: a retried call goes through the throttler's queue again.
  const throttler = apiThrottler(options.throttle ?? {});
  // "typing…" is not a message: it must not hold the reply back behind the per-chat pace.
  bot.api.config.use((previous, method, payload, signal) => (method === "sendChatAction" ? previous(method, payload, signal) : throttler(previous, method, payload, signal)));
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300, ...options.autoRetry }));

  const admission = new Admission({ core: options.core, api: bot.api, logger, configuredAdmins: options.configuredAdmins });
  const trackers = new Set<Promise<void>>();
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  installHandlers(bot, {
    core: options.core,
    pipeline: options.pipeline,
    admission,
    confirmations: new ConfirmationButtons(options.clock ?? systemClock),
    logger,
    clock: options.clock ?? systemClock,
    progressIntervalMs: options.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
    onTracker: (tracker) => {
      trackers.add(tracker);
      void tracker.finally(() => trackers.delete(tracker));
    },
  });
  installErrorHandler(bot, logger);

  let runner: RunnerHandle | undefined;
  const menus = async () => registerCommands(bot.api, await admission.adminChatIds(), logger);
  return {
    bot,
    registerCommands: menus,
    async start() {
      await bot.init();
      await bot.api.deleteWebhook();
      await menus();
      runner = run(bot, { runner: { fetch: { timeout: options.pollingTimeoutSeconds ?? 30 } } });
      logger.info({ bot: bot.botInfo.username }, "telegram bot polling");
    },
    async stop() {
      if (runner?.isRunning()) await runner.stop();
      runner = undefined;
    },
    async settled() {
      while (trackers.size > 0) await Promise.all([...trackers]);
    },
  };
}
