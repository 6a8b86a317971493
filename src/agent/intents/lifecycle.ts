/**
 * The lifecycle family: start, stop, restart, destroy and restore, in everyday words
 * ("turn off web", "reboot it", "get rid of dev-2", "undo").
 *
 * @module
 */
import type { WorkloadRequest, WorkloadVerb } from "./types.js";
import { REFERENCE_WORDS, firstPhrase, type Normalised } from "./normalise.js";
import { DESTROY_VERBS } from "./polarity.js";
import { findTarget, isNameCandidate } from "./target.js";

/** Verb phrases per operation, checked in this order (destroy before stop: "stop and delete"). */
export const LIFECYCLE_VERBS: readonly (readonly [WorkloadVerb, readonly string[]])[] = [
  ["destroy", DESTROY_VERBS],
  [
    "restore",
    ["restore", "undo", "undelete", "bring back", "recover", "roll back", "rollback", "resurrect", "un-delete"],
  ],
  ["restart", ["restart", "reboot", "bounce", "reload", "cycle", "start over", "restart again"]],
  [
    "stop",
    [
      "stop",
      "shut down",
      "shutdown",
      "turn off",
      "power off",
      "poweroff",
      "halt",
      "pause",
      "switch off",
      "kill",
      "take down",
    ],
  ],
  [
    "start",
    [
      "start",
      "boot",
      "turn on",
      "power on",
      "switch on",
      "bring up",
      "wake up",
      "wake",
      "resume",
      "run",
      "fire up",
      "launch",
    ],
  ],
];

/**
 * Parses a lifecycle request, or returns undefined when no lifecycle verb is present. Destroy
 * verbs are skipped unless `allowDestroy` is set: the clause reader decides the destroy
 * reading itself (negation, undo, questions) and never lets this function guess it.
 */
export function parseLifecycle(
  input: Normalised,
  knownNames: readonly string[],
  allowDestroy = false,
): WorkloadRequest | undefined {
  // "turn web off", "shut it down", "bring it back": the object sits inside the phrase.
  const split = parseSplitVerb(input.tokens, knownNames);
  if (split) return split;
  const bring = /\b(?:bring|put) (?:(\S+) )?back\b/.exec(input.text);
  if (bring) {
    const word = bring[1];
    if (word === undefined)
      return { type: "restore", target: findTarget(input.tokens, input.tokens.indexOf("back") + 1, 0, knownNames) };
    if (REFERENCE_WORDS.has(word)) return { type: "restore", target: { kind: "reference" } };
    return {
      type: "restore",
      target: knownNames.includes(word)
        ? { kind: "named", name: word }
        : isNameCandidate(word)
          ? { kind: "unknown", name: word }
          : findTarget(input.tokens, 0, 0, knownNames),
    };
  }
  for (const [verb, phrases] of LIFECYCLE_VERBS) {
    if (verb === "destroy" && !allowDestroy) continue;
    const match = firstPhrase(input.tokens, phrases);
    if (!match) continue;
    return { type: verb, target: findTarget(input.tokens, match.index + match.length, match.index, knownNames) };
  }
  return undefined;
}

/** Two-part verbs with the object in between: [first word, last word, operation]. */
const SPLIT_VERBS: readonly (readonly [string, string, WorkloadVerb])[] = [
  ["turn", "on", "start"],
  ["switch", "on", "start"],
  ["power", "on", "start"],
  ["boot", "up", "start"],
  ["start", "up", "start"],
  ["bring", "up", "start"],
  ["wake", "up", "start"],
  ["fire", "up", "start"],
  ["turn", "off", "stop"],
  ["switch", "off", "stop"],
  ["power", "off", "stop"],
  ["shut", "down", "stop"],
  ["take", "down", "stop"],
  ["spin", "down", "stop"],
  ["bring", "down", "stop"],
];

function parseSplitVerb(tokens: readonly string[], knownNames: readonly string[]): WorkloadRequest | undefined {
  for (let index = 0; index + 2 < tokens.length; index += 1) {
    for (const [first, last, verb] of SPLIT_VERBS) {
      if (tokens[index] !== first) continue;
      // "turn web off", "turn it back on", "shut the web container down"
      // Only a short window is searched, so long messages stay linear.
      const end = tokens.slice(index + 2, index + 6).indexOf(last);
      if (end < 0) continue;
      const between = tokens
        .slice(index + 1, index + 2 + end)
        .filter((token) => token !== "back" && token !== "the" && token !== "container" && token !== "my");
      if (between.length !== 1) continue;
      const word = between[0]!;
      if (REFERENCE_WORDS.has(word)) return { type: verb, target: { kind: "reference" } };
      if (knownNames.includes(word)) return { type: verb, target: { kind: "named", name: word } };
      if (isNameCandidate(word)) return { type: verb, target: { kind: "unknown", name: word } };
    }
  }
  return undefined;
}
