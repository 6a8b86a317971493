/**
 * Who is talking, taken from Telegram itself: the sender's numeric `from.id` becomes the
 * actor `telegram:<id>`. Never from message text, never from a chat id (a group's id would
 * make everyone in it the same person).
 *
 * @module
 */
import type { Chat, User } from "grammy/types";
import type { Actor, UserId } from "../../domain/identity.js";

/** The voxnix user id for a Telegram user id. */
export function telegramUserId(telegramId: number): UserId {
  return `telegram:${telegramId}`;
}

/** The actor for a Telegram sender; `undefined` for updates without a (human) sender. */
export function actorOf(from: User | undefined): Actor | undefined {
  if (!from || from.is_bot) return undefined;
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(" ").trim();
  return displayName ? { userId: telegramUserId(from.id), displayName } : { userId: telegramUserId(from.id) };
}

/**
 * The private chat id for a voxnix user who arrived through Telegram (equal to their
 * Telegram user id), or `undefined` for users of other channels.
 */
export function privateChatIdOf(userId: UserId): number | undefined {
  const match = /^telegram:(\d{1,20})$/.exec(userId);
  return match ? Number(match[1]) : undefined;
}

/** True for one-to-one chats with the bot; voxnix answers requests only there. */
export function isPrivateChat(chat: Chat | undefined): boolean {
  return chat?.type === "private";
}
