/**
 * The size cap on one chat message. It is checked before any parsing, memory or model call,
 * so a giant paste costs nothing and changes nothing: the person gets a clear answer.
 *
 * @module
 */

/** The longest message the chat accepts, in characters (UTF-16 code units). */
export const MAX_MESSAGE_CHARS = 4000;

/** The reply to a message over the cap, or undefined when the message is within it. */
export function oversizeReply(text: string): string | undefined {
  if (text.length <= MAX_MESSAGE_CHARS) return undefined;
  return `That message is ${text.length.toLocaleString("en-US")} characters long; I read at most ${MAX_MESSAGE_CHARS.toLocaleString("en-US")}. Nothing was done. Please send a shorter request, one or two sentences are enough.`;
}
