/**
 * Finds which workload a message points at. Names come from the person's own workloads,
 * or from the slot right after the verb ("stop ghost"), which is reported as unknown rather
 * than acted on; a random word of the sentence ("why", "logs") never becomes a target.
 *
 * @module
 */
import type { Target } from "./types.js";
import { FILLER_WORDS, REFERENCE_WORDS, looksLikeName } from "./normalise.js";

/** Everyday words that never name a workload, even in the name slot. */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  "why",
  "when",
  "where",
  "who",
  "which",
  "whether",
  "if",
  "because",
  "but",
  "or",
  "not",
  "no",
  "do",
  "does",
  "did",
  "done",
  "be",
  "been",
  "being",
  "are",
  "was",
  "were",
  "has",
  "have",
  "had",
  "there",
  "here",
  "these",
  "those",
  "something",
  "anything",
  "nothing",
  "someone",
  "anyone",
  "everyone",
  "any",
  "every",
  "each",
  "other",
  "another",
  "more",
  "less",
  "very",
  "really",
  "should",
  "shall",
  "might",
  "may",
  "must",
  "as",
  "by",
  "into",
  "onto",
  "over",
  "under",
  "like",
  "than",
  "yet",
  "still",
  "already",
  "maybe",
  "please",
  "thanks",
  "thank",
  "sorry",
  "wait",
  "actually",
  "instead",
  "rather",
  "broken",
  "working",
  "fresh",
  "running",
  "doing",
  "going",
  "looking",
  "down",
  "dead",
  "stuck",
  "slow",
  "fine",
  "ok",
  "up",
  "new",
  "old",
  "files",
  "file",
  "data",
  "history",
  "conversation",
  "chat",
  "message",
  "messages",
  "stuff",
  "things",
  "list",
  "logs",
  "help",
  "yes",
  "dont",
  "never",
  "two",
  "three",
  "four",
  "five",
  "couple",
  "few",
  "several",
  "some",
  "many",
  "server",
  "servers",
  "vms",
  "machines",
  "boxes",
  "workloads",
  "instances",
  "environment",
  "env",
  "sandbox-env",
  "my",
  "mine",
  "friend",
  "friends",
  "colleague",
  "admin",
  "root",
  "user",
  "users",
  "system",
  "today",
  "now",
  "again",
  "first",
  "second",
]);

/** True when `token` may be read as a workload name the person typed. */
export function isNameCandidate(token: string): boolean {
  return looksLikeName(token) && !COMMON_WORDS.has(token) && !FILLER_WORDS.has(token) && !/^\d+$/.test(token);
}

/**
 * Reads the target of a verb. `knownNames` (the person's own workloads) win wherever they
 * appear; otherwise "all", a reference ("it", "that one"), or the word in the name slot
 * right after the verb (fillers such as "the" and "container" skipped) as an unknown name.
 */
export function findTarget(
  tokens: readonly string[],
  verbEnd: number,
  verbStart: number,
  knownNames: readonly string[],
): Target {
  const after = tokens.slice(verbEnd);
  const knownAfter = after.find((token) => knownNames.includes(token));
  if (knownAfter !== undefined) return { kind: "named", name: knownAfter };
  const knownBefore = tokens.slice(0, verbStart).find((token) => knownNames.includes(token));
  if (knownBefore !== undefined) return { kind: "named", name: knownBefore };
  if (after.some((token) => token === "all" || token === "everything" || token === "every")) return { kind: "all" };
  if (
    after.some((token) => REFERENCE_WORDS.has(token)) ||
    tokens.slice(0, verbStart).some((token) => REFERENCE_WORDS.has(token))
  )
    return { kind: "reference" };
  const slot = after.find((token) => !FILLER_WORDS.has(token));
  if (slot !== undefined && isNameCandidate(slot)) return { kind: "unknown", name: slot };
  return { kind: "none" };
}

/** The target one word names: one of the person's names, "it"/"that", or a name they do not have; undefined when it cannot be a name. */
export function targetOfWord(word: string, knownNames: readonly string[]): Target | undefined {
  if (REFERENCE_WORDS.has(word)) return { kind: "reference" };
  if (knownNames.includes(word)) return { kind: "named", name: word };
  if (/^[a-z][a-z0-9-]{0,62}$/.test(word)) return { kind: "unknown", name: word };
  return undefined;
}
