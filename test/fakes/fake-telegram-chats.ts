/**
 * The chats behind the fake Bot API (`fake-telegram-server.ts`): the messages the bot sent and
 * their edits, open callback queries, chats that blocked the bot, and the answer to each API
 * method with Telegram's checks (`fake-telegram-html.ts`).
 *
 * @module
 */
import { checkMessageText, checkReplyMarkup } from "./fake-telegram-html.js";

/** Telegram's answer to a callback query answered too late, or twice. */
export const QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid";

/** A message as it currently stands in a chat (after edits). */
export interface FakeMessage {
  readonly messageId: number;
  readonly chatId: number;
  /** The text as the bot sent it (HTML source in parse mode HTML). */
  text: string;
  /** The text as people see it, after HTML parsing. */
  visibleText: string;
  replyMarkup?: any;
  parseMode?: string;
  edits: number;
}

/** The bot's own user, as `getMe` returns it. */
export const BOT_USER = {
  id: 999000,
  is_bot: true,
  first_name: "voxnix",
  username: "voxnix_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

/** Telegram's descriptions of the failures tests inject, when the test gives none. */
export const FAILURE_DESCRIPTIONS: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  429: "Too Many Requests: retry after 1",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

/** Messages, callback queries and blocked chats, and the API methods that act on them. */
export class FakeTelegramChats {
  /** Messages the bot sent, by id, in the order sent. */
  readonly messages = new Map<number, FakeMessage>();
  /** Callback queries not answered yet, with when the person pressed. */
  readonly openQueries = new Map<string, number>();
  readonly blockedChats = new Set<number>();
  private nextMessageId = 1;

  constructor(private readonly callbackQueryTtlMs: number) {}

  answer(method: string, payload: Record<string, any>): { ok: unknown } | { error: number; description: string } {
    switch (method) {
      case "getMe":
        return { ok: BOT_USER };
      case "sendMessage": {
        const chatId = Number(payload.chat_id);
        if (this.blockedChats.has(chatId)) return { error: 403, description: FAILURE_DESCRIPTIONS[403]! };
        const checked = checkMessageText(payload.text, payload.parse_mode);
        if (!checked.ok) return { error: 400, description: checked.description };
        const markupError = checkReplyMarkup(payload.reply_markup);
        if (markupError) return { error: 400, description: markupError };
        const message: FakeMessage = {
          messageId: this.nextMessageId++,
          chatId,
          text: payload.text,
          visibleText: checked.visibleText,
          replyMarkup: payload.reply_markup,
          parseMode: payload.parse_mode,
          edits: 0,
        };
        this.messages.set(message.messageId, message);
        return {
          ok: {
            message_id: message.messageId,
            chat: { id: message.chatId, type: message.chatId < 0 ? "group" : "private" },
            date: Math.floor(Date.now() / 1000),
            text: message.visibleText,
            from: BOT_USER,
          },
        };
      }
      case "editMessageText":
      case "editMessageReplyMarkup": {
        const message = this.messages.get(Number(payload.message_id));
        if (!message || message.chatId !== Number(payload.chat_id))
          return { error: 400, description: "Bad Request: message to edit not found" };
        if (this.blockedChats.has(message.chatId)) return { error: 403, description: FAILURE_DESCRIPTIONS[403]! };
        const text = method === "editMessageText" ? payload.text : message.text;
        const checked = checkMessageText(text, method === "editMessageText" ? payload.parse_mode : message.parseMode);
        if (!checked.ok) return { error: 400, description: checked.description };
        const markupError = checkReplyMarkup(payload.reply_markup);
        if (markupError) return { error: 400, description: markupError };
        const keyboard = (markup: any) => JSON.stringify(markup?.inline_keyboard?.length ? markup : null);
        if (message.text === text && keyboard(message.replyMarkup) === keyboard(payload.reply_markup)) {
          return {
            error: 400,
            description:
              "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          };
        }
        message.text = text;
        message.visibleText = checked.visibleText;
        message.replyMarkup = payload.reply_markup;
        if (method === "editMessageText") message.parseMode = payload.parse_mode;
        message.edits += 1;
        return {
          ok: {
            message_id: message.messageId,
            chat: { id: message.chatId, type: "private" },
            date: Math.floor(Date.now() / 1000),
            text: message.visibleText,
          },
        };
      }
      case "answerCallbackQuery": {
        const pressedAt = this.openQueries.get(String(payload.callback_query_id));
        this.openQueries.delete(String(payload.callback_query_id));
        if (pressedAt === undefined || Date.now() - pressedAt > this.callbackQueryTtlMs)
          return { error: 400, description: QUERY_TOO_OLD };
        return { ok: true };
      }
      case "setMyCommands":
      case "deleteMyCommands":
      case "sendChatAction":
      case "deleteWebhook":
      case "setWebhook":
        return { ok: true };
      default:
        return { error: 404, description: "Not Found: method not found" };
    }
  }
}
