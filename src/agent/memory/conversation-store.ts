/**
 * Conversation memory in SQLite (`conversations`: `user_id` → users, `messages_json`,
 * `updated_at`). One row per user; the JSON holds the `ConversationState` envelope. Loading
 * applies idle expiry; saving trims on message boundaries.
 *
 * @module
 */
import type { ModelMessage } from "ai";
import type { UserId } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";
import type { VoxnixDatabase } from "../../state/database.js";
import { EMPTY_CONVERSATION, type ConversationState } from "./state.js";
import { trimMessages } from "./trim.js";

/** Settings from `config.conversations`. */
export interface ConversationStoreOptions {
  readonly idleMinutes: number;
  readonly maxMessages: number;
  readonly clock: Clock;
}

interface Row {
  readonly messages_json: string;
  readonly updated_at: string | number;
}

/** Reads and writes per-user conversations. */
export class ConversationStore {
  readonly #db: VoxnixDatabase;
  readonly #options: ConversationStoreOptions;

  constructor(db: VoxnixDatabase, options: ConversationStoreOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** The user's conversation, or an empty one when there is none or it has been idle too long. */
  load(userId: UserId): ConversationState {
    const row = this.#db.sqlite.prepare("SELECT messages_json, updated_at FROM conversations WHERE user_id = ?").get(userId) as Row | undefined;
    if (!row) return EMPTY_CONVERSATION;
    const updatedAt = parseTime(row.updated_at);
    const idleMs = this.#options.idleMinutes * 60_000;
    if (updatedAt === undefined || this.#options.clock.now().getTime() - updatedAt.getTime() > idleMs) return EMPTY_CONVERSATION;
    return decode(row.messages_json);
  }

  /** Stores the conversation, trimmed to `maxMessages` on turn boundaries. */
  save(userId: UserId, state: ConversationState): void {
    const trimmed: ConversationState = { ...state, messages: trimMessages(state.messages, this.#options.maxMessages) };
    this.#db.sqlite
      .prepare(
        `INSERT INTO conversations (user_id, messages_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(user_id) DO UPDATE SET messages_json = excluded.messages_json, updated_at = excluded.updated_at`,
      )
      .run(userId, JSON.stringify(encode(trimmed)), this.#options.clock.now().getTime());
  }

  /** Forgets the user's conversation. */
  reset(userId: UserId): void {
    this.#db.sqlite.prepare("DELETE FROM conversations WHERE user_id = ?").run(userId);
  }
}

const FORMAT = 1;

function encode(state: ConversationState): unknown {
  return { format: FORMAT, ...state };
}

// A row written by an older or foreign format is treated as no conversation, not as an error.
function decode(json: string): ConversationState {
  try {
    const value = JSON.parse(json) as unknown;
    if (Array.isArray(value)) return { messages: value as ModelMessage[] };
    if (typeof value !== "object" || value === null) return EMPTY_CONVERSATION;
    const record = value as Partial<ConversationState> & { format?: number };
    if (record.format !== FORMAT || !Array.isArray(record.messages)) return EMPTY_CONVERSATION;
    return {
      messages: record.messages,
      ...(typeof record.focus === "string" ? { focus: record.focus } : {}),
      ...(record.focusPlannedOnly === true ? { focusPlannedOnly: true } : {}),
      ...(record.pending ? { pending: record.pending } : {}),
      ...(record.question ? { question: record.question } : {}),
    };
  } catch {
    return EMPTY_CONVERSATION;
  }
}

function parseTime(value: string | number): Date | undefined {
  const date = typeof value === "number" ? new Date(value) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
