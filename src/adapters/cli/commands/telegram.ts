/**
 * `voxnix telegram` (and `voxnix serve`, the same for service managers): runs the Telegram bot on top of the app and the chat pipeline, by long
 * polling (default) or a webhook (`telegram.mode: webhook`), until SIGINT or SIGTERM, then
 * stops: polling ends, running jobs finish and get their last message (bounded), exit 0. A
 * token Telegram refuses, at start or later, exits 2. grammY and the agent are loaded only
 * here, inside the action.
 *
 * @module
 */
import type { CliContext, RegisterCommand } from "../context.js";

/** Registers `voxnix telegram`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("telegram")
    .description("Run the Telegram bot (long polling, or a webhook when telegram.mode is webhook)")
    .action(() => runTelegram(context, "voxnix telegram"));
  program
    .command("serve")
    .description("Run voxnix as a service: the Telegram bot, one log line when ready, a graceful stop on SIGTERM")
    .action(() => runTelegram(context, "voxnix serve"));
};

async function runTelegram(context: CliContext, name: string): Promise<void> {
  const app = await context.app();
  // A missing setting is a configuration error: the CLI prints it and exits 2.
  const { ConfigError } = await import("../../../app/config.js");
  const configError = (path: string, message: string) => new ConfigError([{ source: "configuration", path, message }]);
  const { config, secrets } = app;
  if (!secrets.telegramToken) {
    throw configError(
      "telegram.tokenFile",
      "No Telegram bot token. Put the token from @BotFather in a file readable only by voxnix and set VOXNIX_TELEGRAM_TOKEN_FILE to its path (or telegram.tokenFile in the configuration).",
    );
  }
  const webhook = config.telegram.mode === "webhook";
  if (webhook && !config.telegram.webhook.url) throw configError("telegram.webhook.url", "Webhook mode needs the public HTTPS URL Telegram should call (VOXNIX_TELEGRAM_WEBHOOK_URL).");
  if (webhook && !secrets.webhookSecret) throw configError("telegram.webhook.secretFile", "Webhook mode needs a secret token; set VOXNIX_TELEGRAM_WEBHOOK_SECRET_FILE to a file holding one (letters, digits, _ and -).");

  const [{ createChatPipeline }, { createTelegramBot }] = await Promise.all([import("../../../agent/pipeline.js"), import("../../telegram/bot.js")]);
  const { isTokenRefused, telegramRefusal } = await import("../../telegram/on-error.js");
  // Telegram refusing the token (401 wrong or revoked, 404 malformed) is the configuration error the docs promise: exit 2.
  const tokenErrorOr = (error: unknown): unknown => {
    const refusal = telegramRefusal(error);
    if (!refusal || !isTokenRefused(error)) return error;
    return configError("telegram.tokenFile", `Telegram refused the bot token (${refusal.code} ${refusal.description}). Check the token from @BotFather in the file VOXNIX_TELEGRAM_TOKEN_FILE points to.`);
  };
  const pipeline = createChatPipeline({ core: app.core, db: app.db, config, secrets, logger: app.logger });
  const { sshAccessFrom } = await import("../../../domain/ssh-access.js");
  const telegram = createTelegramBot({
    token: secrets.telegramToken,
    core: app.core,
    pipeline,
    logger: app.logger,
    configuredAdmins: config.users.admins,
    ...(config.ssh.enabled ? { sshAccess: sshAccessFrom(config.ssh) } : {}),
    ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
  });

  let stopWebhook: (() => Promise<void>) | undefined;
  try {
    // Until polling runs nothing has started, so a signal may end the process the default way.
    if (webhook) {
      const { startWebhook } = await import("../../telegram/webhook.js");
      const server = await startWebhook(telegram, { url: config.telegram.webhook.url!, port: config.telegram.webhook.port, secretToken: secrets.webhookSecret!, logger: app.logger });
      stopWebhook = () => server.close();
      context.say(`${name}: webhook listening on port ${config.telegram.webhook.port}; press Ctrl-C to stop.`);
    } else {
      await telegram.start();
      context.say(`${name}: @${telegram.bot.botInfo.username} is polling; press Ctrl-C to stop.`);
    }
  } catch (error) {
    throw tokenErrorOr(error);
  }

  // Kept until the very end: while a listener of ours is there, a stop signal cannot kill the
  // process in the middle of a job (execa's signal-exit re-raises a signal only it listens to).
  // The first signal stops; a second one stops waiting for jobs.
  const stop = stopSignals();
  try {
    const ended = await Promise.race([stop.first.then((signal) => ({ signal })), telegram.failure.then((failure) => ({ failure }))]);
    if ("signal" in ended) context.say(`${name}: ${ended.signal} received; finishing running jobs (up to ${Math.round(JOB_GRACE_MS / 1000)} s), then stopping.`);
    if (stopWebhook) await stopWebhook();
    await telegram.stop();
    // Running jobs finish and their progress messages get their last edit; bounded, and a second signal cuts it short.
    const finished = await Promise.race([telegram.settled().then(() => true), delay(JOB_GRACE_MS), stop.second.then(() => false)]);
    if (!finished) app.logger.warn({}, "stopped before every running job had its final message");
    if ("failure" in ended) throw tokenErrorOr(ended.failure);
    context.say(`${name}: stopped.`);
  } finally {
    stop.dispose();
  }
}

/** How long a stop waits for running jobs: under systemd's default 90 s stop timeout. */
export const JOB_GRACE_MS = 75_000;

/** SIGINT / SIGTERM, listened to until `dispose()`. */
function stopSignals() {
  let count = 0;
  let onFirst: (signal: NodeJS.Signals) => void = () => undefined;
  let onSecond: () => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => (onFirst = resolve));
  const second = new Promise<void>((resolve) => (onSecond = resolve));
  const listener = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) onFirst(signal);
    else onSecond();
  };
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return {
    first,
    second,
    dispose() {
      process.off("SIGINT", listener);
      process.off("SIGTERM", listener);
    },
  };
}

function delay(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}
