/**
 * Conversation memory: one stored row per user (the state layer's `conversations` table,
 * reached through `ConversationRows`, so the agent never writes SQL); the JSON holds the
 * `ConversationState` envelope. Loading applies idle expiry; saving trims on message boundaries.
 *
 * A pending confirmation's token is a secret (whoever holds it can confirm a destroy), and the
 * core itself stores only its hash. So the row keeps the plan but never the token: the token
 * stays in this process's memory. After a restart a typed "yes" finds nothing waiting and the
 * person asks again; the plan's own button still carries its token until the core expires it.
 *
 * @module
 */
import type { ModelMessage } from "ai";
import type { UserId } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";
import { EMPTY_CONVERSATION, type ConversationState, type StoredConfirmation } from "./state.js";
import { trimMessages } from "./trim.js";

/** Settings from `config.conversations`. */
export interface ConversationStoreOptions {
  readonly idleMinutes: number;
  readonly maxMessages: number;
  readonly clock: Clock;
}

/** Where conversations are stored (implemented by `state/conversations-repository.ts`). */
export interface ConversationRows {
  read(userId: string): { readonly json: string; readonly updatedAt: Date | undefined } | undefined;
  write(userId: string, json: string, at: Date): void;
  remove(userId: string): void;
}

/** Reads and writes per-user conversations. */
export class ConversationStore {
  readonly #rows: ConversationRows;
  readonly #options: ConversationStoreOptions;
  /** Pending confirmation tokens by user, in memory only (see the module comment). */
  readonly #tokens = new Map<string, string>();

  constructor(rows: ConversationRows, options: ConversationStoreOptions) {
    this.#rows = rows;
    this.#options = options;
  }

  /** The user's conversation, or an empty one when there is none or it has been idle too long. */
  load(userId: UserId): ConversationState {
    const row = this.#rows.read(userId);
    if (!row) return EMPTY_CONVERSATION;
    const updatedAt = row.updatedAt;
    const idleMs = this.#options.idleMinutes * 60_000;
    if (updatedAt === undefined || this.#options.clock.now().getTime() - updatedAt.getTime() > idleMs)
      return EMPTY_CONVERSATION;
    const { pending, ...state } = decode(row.json);
    const token = this.#tokens.get(userId);
    // A stored plan without its token (written before a restart) cannot be confirmed by "yes".
    return pending !== undefined && token !== undefined ? { ...state, pending: { ...pending, token } } : state;
  }

  /** Stores the conversation, trimmed to `maxMessages` on turn boundaries. */
  save(userId: UserId, state: ConversationState): void {
    const { pending, ...rest } = state;
    if (pending !== undefined) this.#tokens.set(userId, pending.token);
    else this.#tokens.delete(userId);
    const stored: StoredState = {
      ...rest,
      messages: trimMessages(state.messages, this.#options.maxMessages),
      ...(pending !== undefined ? { pending: { plan: pending.plan, expiresAt: pending.expiresAt } } : {}),
    };
    this.#rows.write(userId, JSON.stringify(encode(stored)), this.#options.clock.now());
  }

  /** Forgets the user's conversation. */
  reset(userId: UserId): void {
    this.#tokens.delete(userId);
    this.#rows.remove(userId);
  }
}

/** What a row holds: the state with the pending plan's token left out. */
type StoredState = Omit<ConversationState, "pending"> & { readonly pending?: Omit<StoredConfirmation, "token"> };

const FORMAT = 1;

function encode(state: StoredState): unknown {
  return { format: FORMAT, ...state };
}

// A row written by an older or foreign format is treated as no conversation, not as an error.
function decode(json: string): StoredState {
  try {
    const value = JSON.parse(json) as unknown;
    if (Array.isArray(value)) return { messages: value as ModelMessage[] };
    if (typeof value !== "object" || value === null) return EMPTY_CONVERSATION;
    const record = value as Partial<StoredState> & { format?: number };
    if (record.format !== FORMAT || !Array.isArray(record.messages)) return EMPTY_CONVERSATION;
    return {
      messages: record.messages,
      ...(typeof record.focus === "string" ? { focus: record.focus } : {}),
      ...(record.focusPlannedOnly === true ? { focusPlannedOnly: true } : {}),
      ...(record.pending ? { pending: { plan: record.pending.plan, expiresAt: record.pending.expiresAt } } : {}),
      ...(record.question ? { question: record.question } : {}),
    };
  } catch {
    return EMPTY_CONVERSATION;
  }
}
