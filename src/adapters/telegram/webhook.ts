/**
 * Webhook mode: Telegram POSTs updates to us instead of us polling. Served with node:http
 * and grammY's `webhookCallback`, which checks the `X-Telegram-Bot-Api-Secret-Token` header
 * against our secret so nobody else can inject updates.
 *
 * @module
 */
import { createServer, type Server } from "node:http";
import { webhookCallback } from "grammy";
import type { Logger } from "../../ports/logger.js";
import type { TelegramBot } from "./bot.js";

export interface WebhookOptions {
  /** The public HTTPS URL Telegram should call (its path is the one we serve). */
  readonly url: string;
  readonly port: number;
  /** Secret token (1–256 of A–Z a–z 0–9 _ -) Telegram echoes in a header. */
  readonly secretToken: string;
  readonly logger: Logger;
  /** Interface to listen on (default all). */
  readonly host?: string;
}

/** A running webhook server. */
export interface WebhookServer {
  readonly server: Server;
  close(): Promise<void>;
}

/** Registers the webhook with Telegram and serves it until `close()`. */
export async function startWebhook(telegram: TelegramBot, options: WebhookOptions): Promise<WebhookServer> {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(options.secretToken))
    throw new Error("The webhook secret may contain only letters, digits, _ and -, at most 256 of them.");
  const { bot } = telegram;
  await bot.init();
  await telegram.registerCommands();
  const path = new URL(options.url).pathname;
  const handle = webhookCallback(bot, "http", { secretToken: options.secretToken, onTimeout: "return" });
  const server = createServer((request, response) => {
    if (request.method !== "POST" || (request.url ?? "").split("?")[0] !== path) {
      response.writeHead(404).end();
      return;
    }
    handle(request, response).catch((error: unknown) => {
      options.logger.warn({ error: String(error) }, "webhook request failed");
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  await bot.api.setWebhook(options.url, { secret_token: options.secretToken });
  options.logger.info({ port: options.port, path }, "telegram webhook listening");
  return {
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
