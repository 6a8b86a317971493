/**
 * The offline engine's parser: one message in, one `Intent` out, deterministically. Families
 * are tried in a fixed order so overlapping words resolve the same way every time.
 *
 * @module
 */
import type { Intent } from "./types.js";
import type { UserId } from "../../domain/identity.js";
import { normalise } from "./normalise.js";
import { parseSlash } from "./slash.js";
import { parseConfirmation, parseDialogue } from "./dialogue.js";
import { isCreate, parseCreate } from "./create.js";
import { parseLifecycle } from "./lifecycle.js";
import { parseInspect } from "./inspect.js";
import { parseExec } from "./exec.js";
import { MODULE_SYNONYMS } from "./modules.js";

/** What the parser may know besides the text. */
export interface ParseContext {
  /** The person's own workload names, preferred when matching names. */
  readonly knownNames: readonly string[];
  /** Catalog module names, recognised as modules in create requests. */
  readonly catalogNames: readonly string[];
  /** Who is asking, so naming oneself is not mistaken for naming someone else. */
  readonly self?: UserId;
}

const USER_MENTION = /\b(telegram|local|web)\s*:\s*[a-z0-9_.-]+/gi;

/** Parses one message. Never throws. */
export function parseIntent(raw: string, context: ParseContext): Intent {
  const slash = parseSlash(raw, context.knownNames, context.catalogNames);
  if (slash) return slash;
  // Identity comes from the channel, never from the text: a message naming another user is refused outright.
  for (const match of raw.matchAll(USER_MENTION)) {
    const mentioned = match[0].replace(/\s+/g, "").toLowerCase();
    if (mentioned !== context.self?.toLowerCase()) return { type: "other-user", mentioned };
  }
  // Before normalising: the command keeps its case, quotes and punctuation.
  const exec = parseExec(raw);
  if (exec) return exec;
  const typed = normalise(raw);
  if (typed.tokens.length === 0) return { type: "help" };
  // A misspelt leading verb ("destory web", "retsart it") is corrected before matching.
  const corrected = correctFirstVerb(typed.tokens, context.knownNames);
  const input = corrected === undefined ? typed : normalise(corrected);
  const confirmation = parseConfirmation(input);
  if (confirmation) return confirmation;
  const dialogue = parseDialogue(input);
  if (dialogue?.type === "reset") return dialogue;
  if (isCreate(input)) return parseCreate(input, context.catalogNames);
  const lifecycle = parseLifecycle(input, context.knownNames);
  if (lifecycle) return lifecycle;
  const inspect = parseInspect(input, context.knownNames);
  if (inspect) return inspect;
  if (dialogue) return dialogue;
  return { type: "unknown" };
}

const MODULE_WORDS = new Set(Object.keys(MODULE_SYNONYMS).flatMap((phrase) => phrase.split(" ")));
const VERBS = ["destroy", "delete", "remove", "restart", "restore", "create", "status", "storage", "reboot", "start", "stop", "list", "logs", "show"];

function correctFirstVerb(tokens: readonly string[], knownNames: readonly string[]): string | undefined {
  const index = tokens.findIndex((token) => !["please", "can", "you", "now", "then", "ok", "okay", "pls"].includes(token));
  const word = tokens[index];
  if (word === undefined || word.length < 5 || knownNames.includes(word) || VERBS.includes(word) || MODULE_WORDS.has(word)) return undefined;
  const match = VERBS.find((verb) => Math.abs(verb.length - word.length) <= 1 && editDistance(verb, word) === 1);
  return match === undefined ? undefined : [...tokens.slice(0, index), match, ...tokens.slice(index + 1)].join(" ");
}

// Damerau-Levenshtein with adjacent transpositions ("destory" → "destroy" is one edit).
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
