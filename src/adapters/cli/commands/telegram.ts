/**
 * `voxnix telegram`: runs the Telegram bot on top of the app and the chat pipeline, by long
 * polling (default) or a webhook (`telegram.mode: webhook`), until SIGINT or SIGTERM, then
 * stops cleanly. grammY and the agent are loaded only here, inside the action.
 *
 * @module
 */
import type { CliContext, RegisterCommand } from "../context.js";

/** Registers `voxnix telegram`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("telegram")
    .description("Run the Telegram bot (long polling, or a webhook when telegram.mode is webhook)")
    .action(() => runTelegram(context));
};

async function runTelegram(context: CliContext): Promise<void> {
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
  const pipeline = createChatPipeline({ core: app.core, db: app.db, config, secrets, logger: app.logger });
  const telegram = createTelegramBot({
    token: secrets.telegramToken,
    core: app.core,
    pipeline,
    logger: app.logger,
    configuredAdmins: config.users.admins,
    ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
  });

  let stopWebhook: (() => Promise<void>) | undefined;
  try {
    if (webhook) {
      const { startWebhook } = await import("../../telegram/webhook.js");
      const server = await startWebhook(telegram, { url: config.telegram.webhook.url!, port: config.telegram.webhook.port, secretToken: secrets.webhookSecret!, logger: app.logger });
      stopWebhook = () => server.close();
      context.say(`voxnix telegram: webhook listening on port ${config.telegram.webhook.port}; press Ctrl-C to stop.`);
    } else {
      await telegram.start();
      context.say(`voxnix telegram: @${telegram.bot.botInfo.username} is polling; press Ctrl-C to stop.`);
    }
  } catch (error) {
    // Telegram answers 401 for a wrong token and 404 for a malformed one.
    const { GrammyError } = await import("grammy");
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
      throw configError("telegram.tokenFile", `Telegram refused the bot token (${error.error_code} ${error.description}). Check the token from @BotFather in the file VOXNIX_TELEGRAM_TOKEN_FILE points to.`);
    }
    throw error;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(name);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  context.say(`voxnix telegram: ${signal} received, stopping.`);
  if (stopWebhook) await stopWebhook();
  await telegram.stop();
}
