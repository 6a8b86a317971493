/**
 * Conversation memory rows (`conversations`: one per user, the chat pipeline's JSON envelope
 * and when it was last written). The agent owns the format; this file owns the SQL.
 *
 * @module
 */
import type { VoxnixDatabase } from "./database.js";

/** One stored conversation. */
export interface ConversationRow {
  readonly json: string;
  readonly updatedAt: Date | undefined;
}

export interface ConversationsRepository {
  read(userId: string): ConversationRow | undefined;
  write(userId: string, json: string, at: Date): void;
  remove(userId: string): void;
}

/** The repository over `db`. */
export function createConversationsRepository(db: VoxnixDatabase): ConversationsRepository {
  const select = db.sqlite.prepare("SELECT messages_json, updated_at FROM conversations WHERE user_id = ?");
  const upsert = db.sqlite.prepare(
    `INSERT INTO conversations (user_id, messages_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(user_id) DO UPDATE SET messages_json = excluded.messages_json, updated_at = excluded.updated_at`,
  );
  const remove = db.sqlite.prepare("DELETE FROM conversations WHERE user_id = ?");
  return {
    read(userId) {
      const row = select.get(userId) as { messages_json: string; updated_at: string | number } | undefined;
      return row ? { json: row.messages_json, updatedAt: parseTime(row.updated_at) } : undefined;
    },
    write(userId, json, at) {
      upsert.run(userId, json, at.getTime());
    },
    remove(userId) {
      remove.run(userId);
    },
  };
}

function parseTime(value: string | number): Date | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
