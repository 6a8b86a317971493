/**
 * Builds the Telegram bot: grammY with the throttler (outgoing rate limits) and auto-retry
 * (honours 429 `retry_after` and retries 5xx) API transformers, per-chat ordering, the
 * handlers, `bot.catch`, and long polling through `@grammyjs/runner`. `start()` registers
 * the command menus and begins polling; `stop()` ends polling cleanly. Outages and 409
 * conflicts are logged and waited out (`connection.ts`); a refused token ends polling and
 * shows up in `failure`.
 *
 * @module
 */
import type { SshAccess } from "../../domain/ssh-access.js";
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
import { waitOutConflicts, watchConnection } from "./connection.js";
import { ConfirmationButtons } from "./confirmations.js";
import { installHandlers } from "./handlers.js";
import { errorFields, installErrorHandler } from "./on-error.js";
import { PROGRESS_INTERVAL_MS } from "./progress.js";
import { editHtml } from "./send.js";

/** How long `stop()` waits for updates being handled before it retires the plans' buttons. */
const STOP_UPDATE_GRACE_MS = 10_000;

/** Appended to a plan whose buttons end with this process. */
export const RESTARTED_PLAN_HTML =
  "⌛ voxnix was stopped before this was answered; nothing was changed. Ask again if you still want it.";

export interface TelegramBotOptions {
  /** The bot token from BotFather (a secret; never logged). */
  readonly token: string;
  readonly core: Core;
  readonly pipeline: ChatPipeline;
  readonly logger: Logger;
  /** `users.admins` from the configuration; Telegram ones get approval requests and the admin menu. */
  readonly configuredAdmins: readonly UserId[];
  /** Builds a dashboard login link's URL from its token (`/web`); absent when no dashboard is served. */
  readonly dashboardLink?: (token: string) => string;
  readonly clock?: Clock;
  /** A local Bot API server or a test fake instead of api.telegram.org. */
  readonly apiRoot?: string;
  /** Where the SSH gateway is published, when enabled. */
  readonly sshAccess?: SshAccess;
  /** Minimum milliseconds between edits of one progress message (default 1,500). */
  readonly progressIntervalMs?: number;
  /** Throttler limits; the defaults follow Telegram's published limits. */
  readonly throttle?: APIThrottlerOptions;
  readonly autoRetry?: Partial<AutoRetryOptions>;
  /** Long-polling timeout in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
  /** Seconds an API call may take beyond the long-polling timeout before it counts as dead (default 15). */
  readonly clientTimeoutMarginSeconds?: number;
  /** Pauses between `getUpdates` retries after a 409 Conflict (default 1 s doubling to 15 s). */
  readonly conflictPauseMs?: { readonly first: number; readonly max: number };
}

/** Seconds an API call may take beyond the long-polling timeout before it counts as a dead connection. */
export const CLIENT_TIMEOUT_MARGIN_SECONDS = 15;

/** A built bot: the grammY instance plus lifecycle. */
export interface TelegramBot {
  readonly bot: Bot;
  /** Registers command menus and starts long polling; resolves once polling runs. */
  start(): Promise<void>;
  /** Stops polling and waits for it to end. Jobs keep running in the core. */
  stop(): Promise<void>;
  /**
   * Resolves with the error when polling ended by itself (Telegram refused the token: 401);
   * never resolves otherwise. Outages and 409 conflicts are retried and do not end polling.
   */
  readonly failure: Promise<unknown>;
  /**
   * Resolves when every update being handled is done and every progress message shown so far
   * has its final result (for tests and shutdown).
   */
  settled(): Promise<void>;
  /** Installs the command menus (called by `start`, and by the webhook mode). */
  registerCommands(): Promise<void>;
}

/** Builds the bot; nothing talks to Telegram until `start()` or `bot.init()`. */
export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const logger = options.logger.child({ component: "telegram" });
  const pollingTimeoutSeconds = options.pollingTimeoutSeconds ?? 30;
  // A long poll that outlives its own timeout by this much is a dead connection: give up and retry.
  const timeoutSeconds = pollingTimeoutSeconds + (options.clientTimeoutMarginSeconds ?? CLIENT_TIMEOUT_MARGIN_SECONDS);
  const bot = new Bot(options.token, {
    client: { timeoutSeconds, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  // Closest to the network, so they see every attempt: 409 waits, then outage logging.
  bot.api.config.use(
    waitOutConflicts(
      logger,
      options.conflictPauseMs
        ? { firstPauseMs: options.conflictPauseMs.first, maxPauseMs: options.conflictPauseMs.max }
        : {},
    ),
  );
  bot.api.config.use(watchConnection(logger).transformer);
  // Throttle first, then retry: a retried call goes through the throttler's queue again.
  const throttler = apiThrottler(options.throttle ?? {});
  // "typing…" is not a message: it must not hold the reply back behind the per-chat pace.
  bot.api.config.use((previous, method, payload, signal) =>
    method === "sendChatAction" ? previous(method, payload, signal) : throttler(previous, method, payload, signal),
  );
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 300, ...options.autoRetry }));

  const admission = new Admission({
    core: options.core,
    api: bot.api,
    logger,
    configuredAdmins: options.configuredAdmins,
  });
  const confirmations = new ConfirmationButtons(options.clock ?? systemClock);
  const trackers = new Set<Promise<void>>();
  // Updates being handled, so a stop can wait for them (a press may be about to start a job).
  const inFlight = new Set<Promise<unknown>>();
  bot.use(async function trackUpdate(_ctx, next) {
    const handling = next();
    inFlight.add(handling);
    try {
      await handling;
    } finally {
      inFlight.delete(handling);
    }
  });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  installHandlers(bot, {
    core: options.core,
    pipeline: options.pipeline,
    admission,
    confirmations,
    logger,
    clock: options.clock ?? systemClock,
    progressIntervalMs: options.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
    dashboardLink: options.dashboardLink,
    ...(options.sshAccess ? { sshAccess: options.sshAccess } : {}),
    onTracker: (tracker) => {
      trackers.add(tracker);
      void tracker.finally(() => trackers.delete(tracker));
    },
  });
  installErrorHandler(bot, logger);

  let runner: RunnerHandle | undefined;
  let reportFailure: (error: unknown) => void = () => undefined;
  const failure = new Promise<unknown>((resolve) => (reportFailure = resolve));
  // The menus are cosmetic: a refusal is logged and the bot runs without them.
  const menus = async () => {
    try {
      await registerCommands(bot.api, await admission.adminChatIds(), logger);
    } catch (error) {
      logger.warn(errorFields(error), "could not register the command menus; the bot works without them");
    }
  };
  return {
    bot,
    registerCommands: menus,
    failure,
    async start() {
      await bot.init();
      await bot.api.deleteWebhook();
      await menus();
      // Silent: failed fetches are logged once per outage by watchConnection, not per retry.
      runner = run(bot, { runner: { fetch: { timeout: pollingTimeoutSeconds }, silent: true } });
      const handle = runner;
      // The runner ends by itself only on 401 (409 is retried below it); hand that to the caller.
      void handle.task()?.catch((error: unknown) => {
        logger.error(errorFields(error), "telegram polling stopped");
        reportFailure(error);
      });
      logger.info({ bot: bot.botInfo.username }, "telegram bot ready: polling for updates");
    },
    async stop() {
      if (runner?.isRunning()) await runner.stop();
      runner = undefined;
      // Updates being handled may still show a plan; give them a moment (a stop must not hang).
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => setTimeout(resolve, STOP_UPDATE_GRACE_MS).unref()),
      ]);
      // The button map lives in memory: plans still waiting lose their buttons rather than look live after a restart.
      for (const live of confirmations.takeEverything()) {
        await editHtml(bot.api, live.chatId, live.messageId, `${live.planHtml}\n\n${RESTARTED_PLAN_HTML}`).catch(
          (error: unknown) => logger.debug(errorFields(error), "could not retire a plan's buttons"),
        );
      }
    },
    async settled() {
      while (trackers.size > 0 || inFlight.size > 0) await Promise.allSettled([...inFlight, ...trackers]);
    },
  };
}
