/**
 * The Telegram bot as a service: long polling (default) or a webhook (`telegram.mode:
 * webhook`). A token Telegram refuses, at start or later, is a configuration error (exit 2).
 * grammY and the agent are loaded only here.
 *
 * @module
 */
import { chatPipelineFor } from "../chat-pipeline.js";
import { sshAccessFrom } from "../../../domain/ssh-access.js";
import type { App } from "../../../app/app.js";
import type { Service } from "./service.js";

/** True when a bot token is configured, so `voxnix serve` runs the bot. */
export function telegramConfigured(app: App): boolean {
  return app.secrets.telegramToken !== undefined;
}

/** Starts the bot; rejects with a `ConfigError` for missing settings or a refused token. */
export async function startTelegramService(app: App): Promise<Service> {
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
  if (webhook && !config.telegram.webhook.url)
    throw configError(
      "telegram.webhook.url",
      "Webhook mode needs the public HTTPS URL Telegram should call (VOXNIX_TELEGRAM_WEBHOOK_URL).",
    );
  if (webhook && !secrets.webhookSecret)
    throw configError(
      "telegram.webhook.secretFile",
      "Webhook mode needs a secret token; set VOXNIX_TELEGRAM_WEBHOOK_SECRET_FILE to a file holding one (letters, digits, _ and -).",
    );

  const [{ createTelegramBot }, { isTokenRefused, telegramRefusal }, { deliverNotice }] = await Promise.all([
    import("../../telegram/bot.js"),
    import("../../telegram/on-error.js"),
    import("../../telegram/notices.js"),
  ]);
  // Telegram refusing the token (401 wrong or revoked, 404 malformed) is the configuration error the docs promise: exit 2.
  const tokenErrorOr = (error: unknown): unknown => {
    const refusal = telegramRefusal(error);
    if (!refusal || !isTokenRefused(error)) return error;
    return configError(
      "telegram.tokenFile",
      `Telegram refused the bot token (${refusal.code} ${refusal.description}). Check the token from @BotFather in the file VOXNIX_TELEGRAM_TOKEN_FILE points to.`,
    );
  };
  const { loginLinkUrl } = await import("../../http/web/links.js");
  const pipeline = await chatPipelineFor(app);
  const telegram = createTelegramBot({
    token: secrets.telegramToken,
    core: app.core,
    pipeline,
    logger: app.logger,
    configuredAdmins: config.users.admins,
    // `/web` links point at http.publicUrl (or http.listen): served by `voxnix serve`, or by a separate `voxnix http`.
    dashboardLink: (token) => loginLinkUrl(config.http, token),
    ...(config.ssh.enabled ? { sshAccess: sshAccessFrom(config.ssh) } : {}),
    ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
  });

  let stopWebhook: (() => Promise<void>) | undefined;
  let ready: string;
  try {
    if (webhook) {
      const { startWebhook } = await import("../../telegram/webhook.js");
      const server = await startWebhook(telegram, {
        url: config.telegram.webhook.url!,
        port: config.telegram.webhook.port,
        secretToken: secrets.webhookSecret!,
        logger: app.logger,
      });
      stopWebhook = () => server.close();
      ready = `webhook listening on port ${config.telegram.webhook.port}; press Ctrl-C to stop.`;
    } else {
      await telegram.start();
      ready = `@${telegram.bot.botInfo.username} is polling; press Ctrl-C to stop.`;
    }
  } catch (error) {
    throw tokenErrorOr(error);
  }
  // Idle warnings and stops reach their owners' chats while the bot runs.
  const unsubscribe = app.notices.subscribe((notice) => deliverNotice(telegram.bot.api, notice));
  return {
    name: "telegram",
    ready,
    failure: telegram.failure.then((failure) => Promise.reject(tokenErrorOr(failure) as Error)),
    async stop() {
      unsubscribe();
      if (stopWebhook) await stopWebhook();
      await telegram.stop();
    },
    // Running jobs finish and their progress messages get their last edit.
    settled: () => telegram.settled(),
  };
}
