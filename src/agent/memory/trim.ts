/**
 * Trimming history safely: keep at most `maxMessages`, cutting only where a user message
 * begins, so a tool call is never separated from its result and history never starts with
 * an assistant or tool message.
 *
 * @module
 */
import type { ModelMessage } from "ai";

/**
 * Returns the longest suffix of `messages` that starts at a user message and has at most
 * `maxMessages` entries. If even the last turn is longer, the last turn is kept whole.
 */
export function trimMessages(messages: readonly ModelMessage[], maxMessages: number): ModelMessage[] {
  if (messages.length <= maxMessages && (messages.length === 0 || messages[0]!.role === "user")) return [...messages];
  let lastUser = -1;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]!.role !== "user") continue;
    if (messages.length - index <= maxMessages) lastUser = index;
    else break;
  }
  if (lastUser >= 0) return messages.slice(lastUser);
  // The newest turn alone is longer than the limit: keep it whole rather than split it.
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]!.role === "user") return messages.slice(index);
  }
  return [];
}
