/**
 * Splits one message into clauses, so "don't delete web, just stop it" is two requests with
 * their own polarity rather than one bag of words. Sentences, commas and semicolons split;
 * so do "but", "then", "just", "instead", "actually", "also" and "and" when an action verb
 * follows them ("stop web and delete api"), but not "and" inside a list ("with git and fish").
 * One pass over the tokens: linear in the length of the message.
 *
 * @module
 */
import { normalise, type Normalised } from "./normalise.js";

/** First words of action phrases: a connective followed by one of these starts a new clause. */
export const ACTION_STARTS: ReadonlySet<string> = new Set([
  "create",
  "make",
  "spin",
  "provision",
  "build",
  "deploy",
  "give",
  "start",
  "stop",
  "restart",
  "reboot",
  "destroy",
  "delete",
  "remove",
  "rm",
  "nuke",
  "wipe",
  "erase",
  "trash",
  "tear",
  "restore",
  "undo",
  "undelete",
  "recover",
  "bring",
  "turn",
  "shut",
  "switch",
  "power",
  "boot",
  "halt",
  "pause",
  "kill",
  "resume",
  "wake",
  "show",
  "list",
  "display",
  "check",
  "tell",
  "logs",
  "run",
  "exec",
  "cancel",
  "keep",
  "reset",
  "ssh",
  "connect",
  "get",
  "set",
  "launch",
  "fire",
  "add",
  "revert",
  "reverse",
  "abort",
  "leave",
  "touch",
]);

/** Words that may stand between a connective and its verb ("and then please stop it"). */
export const LEAD_WORDS: ReadonlySet<string> = new Set([
  "please",
  "pls",
  "plz",
  "kindly",
  "now",
  "then",
  "ok",
  "okay",
  "so",
  "and",
  "also",
  "just",
  "yes",
  "yeah",
  "go",
  "ahead",
  "can",
  "could",
  "would",
  "will",
  "you",
  "i",
  "want",
  "to",
  "need",
  "would",
  "like",
  "id",
  "lets",
  "let",
  "us",
  "hey",
  "voxnix",
  "bot",
  "time",
  "finally",
  "quickly",
  "simply",
  "maybe",
  "actually",
  "instead",
  "rather",
  "but",
  "wait",
  "no",
  "oh",
  "hmm",
  "right",
  "sure",
  "alright",
  "first",
  "after",
  "that",
  "afterwards",
  "too",
]);

const CONNECTIVES = new Set([
  "but",
  "then",
  "just",
  "instead",
  "actually",
  "also",
  "and",
  "rather",
  "wait",
  "afterwards",
]);

/** One clause: its normalised text and tokens. */
export type Clause = Normalised;

/** Splits `raw` into clauses (at least one when the text has any words). */
export function splitClauses(raw: string): Clause[] {
  const pieces = raw.split(/[.!?;]+(?=\s|$)|[,\n]+/);
  const clauses: Clause[] = [];
  for (const piece of pieces) {
    const tokens = normalise(piece).tokens;
    let start = 0;
    for (let index = 1; index < tokens.length; index += 1) {
      if (!CONNECTIVES.has(tokens[index]!) || !verbFollows(tokens, index + 1)) continue;
      if (index > start) clauses.push(fromTokens(tokens.slice(start, index)));
      start = index;
    }
    if (start < tokens.length) clauses.push(fromTokens(tokens.slice(start)));
  }
  return clauses;
}

// Negations may stand between a connective and its verb: "stop api and don't touch web".
const NEGATION_LEADS = new Set(["do", "not", "dont", "never", "please"]);

// True when, after at most three lead words, the next token starts an action.
function verbFollows(tokens: readonly string[], from: number): boolean {
  for (let index = from; index < Math.min(tokens.length, from + 4); index += 1) {
    const token = tokens[index]!;
    if (ACTION_STARTS.has(token)) return true;
    if (!LEAD_WORDS.has(token) && !NEGATION_LEADS.has(token)) return false;
  }
  return false;
}

function fromTokens(tokens: readonly string[]): Clause {
  const text = tokens.join(" ");
  return { raw: text, text, tokens };
}
