/**
 * A fake Telegram Bot API on loopback (node:http), for tests that run a real grammY bot
 * (runner, auto-retry, throttler) against it with `client.apiRoot`. It models the documented
 * behaviour tests rely on and enforces what Telegram enforces: `getUpdates` long polling with
 * offsets; HTML parse mode (`fake-telegram-html.ts`) and 4,096 characters counted after
 * parsing; `callback_data` of 1–64 bytes; 400 "message is not modified" for an unchanged
 * edit; 400 "query is too old" for a callback answered late (`callbackQueryTtlMs`) or twice.
 * Faults can be injected per method: any status with a description and `retry_after` (401,
 * 403, 409, 429, 5xx), dropped and hung connections, and chats that blocked the bot
 * (`fake-telegram-chats.ts` holds the chats and the methods' answers). It records every call.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BOT_USER, FAILURE_DESCRIPTIONS, FakeTelegramChats, type FakeMessage } from "./fake-telegram-chats.js";

export { QUERY_TOO_OLD, type FakeMessage } from "./fake-telegram-chats.js";

/** An injected failure: the status, Telegram's description, and `retry_after` for 429. */
export interface FakeFailure {
  readonly status: number;
  readonly description?: string;
  readonly retryAfter?: number;
}

/** One Bot API call the bot made. */
export interface RecordedCall {
  readonly method: string;
  readonly payload: Record<string, any>;
  /** Set when the fake answered with an error instead of a result. */
  readonly failedWith?: number;
  /** When the fake received it (epoch milliseconds). */
  readonly at: number;
}

/** A Telegram user as tests describe one. */
export interface FakeUser {
  readonly id: number;
  readonly firstName?: string;
}

/** The fake Bot API server. `start()` it, hand `apiRoot` to grammY, `stop()` it after. */
export class FakeTelegramServer {
  readonly calls: RecordedCall[] = [];
  /** Messages the bot sent, by id, in the order sent. */
  readonly messages: Map<number, FakeMessage>;
  private readonly chats: FakeTelegramChats;

  private server: Server | undefined;
  private readonly queue: Record<string, unknown>[] = [];
  private readonly pollers = new Set<() => void>();
  private readonly failures = new Map<string, FakeFailure[]>();
  private readonly drops = new Map<string, number>();
  private readonly hangs = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private nextUpdateId = 1;
  private nextCallbackId = 1;
  private incomingMessageId = 100000;

  /**
   * With `validToken`, any other token is refused with 401 Unauthorized, as Telegram does.
   * `callbackQueryTtlMs` (default 15 s) is how long a press can wait for its answer.
   */
  constructor(private readonly options: { readonly validToken?: string; readonly callbackQueryTtlMs?: number } = {}) {
    this.chats = new FakeTelegramChats(options.callbackQueryTtlMs ?? 15_000);
    this.messages = this.chats.messages;
  }

  /** The URL to pass as grammY's `client.apiRoot`. */
  get apiRoot(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("FakeTelegramServer is not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const release of this.pollers) release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues a raw update for the next `getUpdates`. */
  pushUpdate(update: Record<string, unknown>): number {
    const updateId = this.nextUpdateId++;
    this.queue.push({ update_id: updateId, ...update });
    for (const release of this.pollers) release();
    return updateId;
  }

  /** A user types `text` (commands get their `bot_command` entity). In a private chat unless `chat` says otherwise. */
  sendText(from: FakeUser, text: string, chat?: { id: number; type: "private" | "group" | "supergroup" }): number {
    const entities = text.startsWith("/")
      ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }]
      : undefined;
    const message = {
      message_id: this.incomingMessageId++,
      from: { id: from.id, is_bot: false, first_name: from.firstName ?? `user${from.id}` },
      chat: chat
        ? { id: chat.id, type: chat.type, title: "a group" }
        : { id: from.id, type: "private", first_name: from.firstName ?? `user${from.id}` },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(entities ? { entities } : {}),
    };
    return this.pushUpdate({ message });
  }

  /**
   * A user presses an inline button with `data` under the bot's message `messageId`. Returns
   * the callback query id. `waitedMs` backdates the press, as if it had queued behind a backlog.
   */
  pressButton(from: FakeUser, messageId: number, data: string, options: { readonly waitedMs?: number } = {}): string {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const id = `cbq${this.nextCallbackId++}`;
    this.chats.openQueries.set(id, Date.now() - (options.waitedMs ?? 0));
    this.pushUpdate({
      callback_query: {
        id,
        from: { id: from.id, is_bot: false, first_name: from.firstName ?? `user${from.id}` },
        message: {
          message_id: messageId,
          chat: { id: message.chatId, type: "private" },
          date: Math.floor(Date.now() / 1000),
          text: message.visibleText,
          from: BOT_USER,
          ...(message.replyMarkup?.inline_keyboard?.length ? { reply_markup: message.replyMarkup } : {}),
        },
        chat_instance: String(message.chatId),
        data,
      },
    });
    return id;
  }

  /** Makes the next `count` calls of `method` fail with 429 Too Many Requests and `retry_after`. */
  failWith429(method: string, retryAfter: number, count = 1): void {
    this.fail(method, { status: 429, retryAfter, description: `Too Many Requests: retry after ${retryAfter}` }, count);
  }

  /** Makes the next `count` calls of `method` fail as given (401, 403, 409, 5xx, …). */
  fail(method: string, failure: FakeFailure, count = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let index = 0; index < count; index++) list.push(failure);
    this.failures.set(method, list);
  }

  /** Closes the connection of the next `count` calls of `method` without an answer (a dead network). */
  dropConnections(method: string, count = 1): void {
    this.drops.set(method, (this.drops.get(method) ?? 0) + count);
  }

  /** Never answers the next `count` calls of `method` (a connection that died silently). */
  hangConnections(method: string, count = 1): void {
    this.hangs.set(method, (this.hangs.get(method) ?? 0) + count);
  }

  /** The person in `chatId` blocked the bot: sending there answers 403. */
  blockChat(chatId: number): void {
    this.chats.blockedChats.add(chatId);
  }

  /** The person in `chatId` unblocked the bot again. */
  unblockChat(chatId: number): void {
    this.chats.blockedChats.delete(chatId);
  }

  /** A user sends something that is not text (a sticker). */
  sendSticker(from: FakeUser): number {
    const chat = { id: from.id, type: "private", first_name: from.firstName ?? `user${from.id}` };
    const message = {
      message_id: this.incomingMessageId++,
      from: { id: from.id, is_bot: false, first_name: chat.first_name },
      chat,
      date: Math.floor(Date.now() / 1000),
      sticker: { file_id: "sticker", emoji: "👍" },
    };
    return this.pushUpdate({ message });
  }

  /** A user edits a message they sent earlier. */
  editText(from: FakeUser, messageId: number, text: string): number {
    const chat = { id: from.id, type: "private", first_name: from.firstName ?? `user${from.id}` };
    const now = Math.floor(Date.now() / 1000);
    return this.pushUpdate({
      edited_message: {
        message_id: messageId,
        from: { id: from.id, is_bot: false, first_name: chat.first_name },
        chat,
        date: now,
        edit_date: now,
        text,
      },
    });
  }

  /** The answers given to callback queries (successful ones). */
  answeredQueries(): RecordedCall[] {
    return this.callsOf("answerCallbackQuery").filter((call) => call.failedWith === undefined);
  }

  /** Calls of one method (successful and failed). */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Messages the bot sent to one chat, in order. */
  messagesIn(chatId: number): FakeMessage[] {
    return [...this.messages.values()].filter((message) => message.chatId === chatId);
  }

  /** Inline button callback data on a message, flattened. */
  buttonsOf(messageId: number): { text: string; data: string }[] {
    const keyboard = this.messages.get(messageId)?.replyMarkup?.inline_keyboard as
      { text: string; callback_data: string }[][] | undefined;
    return (keyboard ?? []).flat().map((button) => ({ text: button.text, data: button.callback_data }));
  }

  /**
   * Resolves once `predicate` holds (checked after every call), or rejects after `timeoutMs`
   * with `what` in the message. A failure guard, not a performance threshold.
   */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const immediate = predicate();
    if (immediate) return immediate;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; calls: ${this.calls.map((call) => call.method).join(", ")}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.url ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const payload = (body ? JSON.parse(body) : {}) as Record<string, any>;
    const method = match?.[2] ?? "";
    if (this.options.validToken !== undefined && match?.[1] !== this.options.validToken) {
      this.record({ method, payload, failedWith: 401 });
      return this.reply(response, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    }

    const drops = this.drops.get(method) ?? 0;
    if (drops > 0) {
      this.drops.set(method, drops - 1);
      this.record({ method, payload, failedWith: 0 });
      request.socket.destroy();
      return;
    }
    const hangs = this.hangs.get(method) ?? 0;
    if (hangs > 0) {
      this.hangs.set(method, hangs - 1);
      this.record({ method, payload, failedWith: 0 });
      return;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      this.record({ method, payload, failedWith: failure.status });
      const description = failure.description ?? FAILURE_DESCRIPTIONS[failure.status] ?? "Injected failure";
      return this.reply(response, failure.status, {
        ok: false,
        error_code: failure.status,
        description,
        ...(failure.retryAfter ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    }
    if (method === "getUpdates") return this.getUpdates(payload, response);
    const result = this.chats.answer(method, payload);
    if ("error" in result) {
      this.record({ method, payload, failedWith: result.error });
      return this.reply(response, result.error, {
        ok: false,
        error_code: result.error,
        description: result.description,
      });
    }
    this.record({ method, payload });
    this.reply(response, 200, { ok: true, result: result.ok });
    this.notify();
  }

  private getUpdates(payload: Record<string, any>, response: ServerResponse): void {
    const offset = Number(payload.offset ?? 0);
    const limit = Number(payload.limit ?? 100);
    const timeoutSeconds = Number(payload.timeout ?? 0);
    const take = () => {
      while (this.queue.length > 0 && Number(this.queue[0]!.update_id) < offset) this.queue.shift();
      return this.queue.slice(0, limit);
    };
    const poll: { timer?: NodeJS.Timeout } = {};
    const answer = () => {
      this.pollers.delete(release);
      clearTimeout(poll.timer);
      if (response.writableEnded) return;
      const updates = take();
      this.record({ method: "getUpdates", payload });
      this.reply(response, 200, { ok: true, result: updates });
      this.notify();
    };
    const release = () => answer();
    const ready = take();
    if (ready.length > 0 || timeoutSeconds === 0) return answer();
    poll.timer = setTimeout(answer, timeoutSeconds * 1000);
    this.pollers.add(release);
    response.on("close", () => {
      this.pollers.delete(release);
      clearTimeout(poll.timer);
    });
  }

  private record(call: Omit<RecordedCall, "at">): void {
    this.calls.push({ ...call, at: Date.now() });
    this.notify();
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  }
}
