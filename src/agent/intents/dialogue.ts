/**
 * The dialogue family: confirm ("yes", "y", "do it"), cancel ("no", "never mind"), reset,
 * help and greetings. Confirm and cancel match only short replies, so "yes, and also
 * destroy dev" is never read as a bare "yes".
 *
 * @module
 */
import type { Intent } from "./types.js";
import { hasAny, type Normalised } from "./normalise.js";

const CONFIRM = new Set([
  "yes",
  "y",
  "yep",
  "yeah",
  "yup",
  "confirm",
  "confirmed",
  "do it",
  "go ahead",
  "ok",
  "okay",
  "sure",
  "proceed",
  "yes please",
  "yes do it",
  "yes confirm",
  "i confirm",
  "please do",
  "go",
  "yes go ahead",
  "affirmative",
  "correct",
]);
const CANCEL = new Set([
  "no",
  "n",
  "nope",
  "nah",
  "cancel",
  "abort",
  "never mind",
  "nevermind",
  "dont",
  "do not",
  "no thanks",
  "keep it",
  "dont do it",
  "do not do it",
  "forget it",
  "no cancel",
  "cancel it",
  "no dont",
  "no do not",
  "do not",
  "please do not",
  "no please do not",
  "no do not do it",
  "no wait",
  "wait no",
  "no no",
  "no stop",
]);
const RESET = [
  "reset",
  "start over",
  "forget everything",
  "new conversation",
  "clear history",
  "clear conversation",
  "forget our conversation",
];
const HELP = [
  "help",
  "what can you do",
  "how does this work",
  "commands",
  "usage",
  "what can i do",
  "what can i say",
  "what can i ask",
  "what modules",
  "which modules",
  "list modules",
  "available modules",
  "what do you do",
  "how do i",
  "manual",
];
const GREETING = new Set([
  "hi",
  "hello",
  "hey",
  "hallo",
  "hola",
  "good morning",
  "good evening",
  "good afternoon",
  "yo",
  "start",
  "hi there",
  "hello there",
  "thanks",
  "thank you",
]);

/** Parses a confirm/cancel reply; only whole short replies count. */
export function parseConfirmation(input: Normalised): Intent | undefined {
  if (input.tokens.length > 4) return undefined;
  if (CONFIRM.has(input.text)) return { type: "confirm" };
  if (CANCEL.has(input.text)) return { type: "cancel" };
  return undefined;
}

/** Parses reset, help and greetings. */
export function parseDialogue(input: Normalised): Intent | undefined {
  if (input.tokens.length <= 5 && hasAny(input.text, RESET)) return { type: "reset" };
  if (input.raw === "?" || hasAny(input.text, HELP)) return { type: "help" };
  if (GREETING.has(input.text)) return { type: "help", greeting: true };
  return undefined;
}
