/**
 * Typo tolerance for verbs: a misspelt leading verb ("destory web", "pls retsart it") is
 * corrected when it is one edit away from a known verb. Workload names and module words are
 * never "corrected".
 *
 * @module
 */
import { MODULE_SYNONYMS } from "./modules.js";

const MODULE_WORDS = new Set(Object.keys(MODULE_SYNONYMS).flatMap((phrase) => phrase.split(" ")));
const VERBS = [
  "destroy",
  "delete",
  "remove",
  "restart",
  "restore",
  "create",
  "status",
  "storage",
  "reboot",
  "start",
  "stop",
  "list",
  "logs",
  "show",
  "cancel",
];
const POLITE = new Set([
  "please",
  "pls",
  "plz",
  "can",
  "could",
  "would",
  "you",
  "now",
  "then",
  "ok",
  "okay",
  "kindly",
  "hey",
  "just",
  "and",
  "so",
]);

const DESTROY_VERBS = new Set(["destroy", "delete", "remove"]);

// Into a destroy verb only a dropped or swapped letter is corrected ("delte", "destory"), never
// a different letter: "remote" is a word of its own, not a misspelt "remove".
function isDroppedOrSwapped(word: string, verb: string): boolean {
  if (word.length === verb.length) return [...word].sort().join("") === [...verb].sort().join("");
  return word.length === verb.length - 1;
}

/** The tokens with the first verb-like word corrected, joined, or undefined when nothing needed correcting. */
export function correctFirstVerb(tokens: readonly string[], knownNames: readonly string[]): string | undefined {
  const index = tokens.findIndex((token) => !POLITE.has(token));
  const word = tokens[index];
  if (
    word === undefined ||
    word.length < 5 ||
    knownNames.includes(word) ||
    VERBS.includes(word) ||
    MODULE_WORDS.has(word)
  )
    return undefined;
  const match = VERBS.find(
    (verb) =>
      !word.startsWith(verb) &&
      Math.abs(verb.length - word.length) <= 1 &&
      editDistance(verb, word) === 1 &&
      (!DESTROY_VERBS.has(verb) || isDroppedOrSwapped(word, verb)),
  );
  return match === undefined ? undefined : [...tokens.slice(0, index), match, ...tokens.slice(index + 1)].join(" ");
}

// Damerau-Levenshtein with adjacent transpositions ("destory" → "destroy" is one edit).
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
