/**
 * Sending HTML to a chat: split under Telegram's limit, one message per chunk in order, the
 * keyboard (if any) on the last chunk only, and nothing at all for empty text.
 *
 * @module
 */
import type { Api } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import { splitHtml } from "./render.js";

/** Sends `html` to `chatId`; returns the last message sent, or `undefined` when there was nothing to send. */
export async function sendHtml(
  api: Api,
  chatId: number,
  html: string,
  keyboard?: InlineKeyboardMarkup,
): Promise<Message.TextMessage | undefined> {
  const chunks = splitHtml(html);
  let last: Message.TextMessage | undefined;
  for (const [index, chunk] of chunks.entries()) {
    const isLast = index === chunks.length - 1;
    last = await api.sendMessage(chatId, chunk, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(isLast && keyboard ? { reply_markup: keyboard } : {}),
    });
  }
  return last;
}

/**
 * Replaces a message's text (and removes or replaces its keyboard). Text longer than one
 * message keeps the first chunk in place and sends the rest as new messages. Telegram's
 * "message is not modified" is not a failure.
 */
export async function editHtml(
  api: Api,
  chatId: number,
  messageId: number,
  html: string,
  keyboard?: InlineKeyboardMarkup,
): Promise<void> {
  const [first, ...rest] = splitHtml(html);
  if (first === undefined) return;
  try {
    await api.editMessageText(chatId, messageId, first, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_markup: rest.length === 0 && keyboard ? keyboard : { inline_keyboard: [] },
    });
  } catch (error) {
    if (!isNotModified(error)) throw error;
  }
  if (rest.length > 0) await sendHtml(api, chatId, rest.join("\n"), keyboard);
}

/** True for Telegram's 400 "message is not modified", which only means there was nothing to change. */
export function isNotModified(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "description" in error &&
    String(error.description).includes("message is not modified")
  );
}
