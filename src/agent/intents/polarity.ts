/**
 * Polarity of a clause: is the verb negated ("don't delete web"), undone ("undo the destroy
 * of web2"), cancelled ("cancel that delete"), asked about ("what happens if I delete web?")
 * or plainly requested ("please delete web")? The destroy reading of a clause is decided
 * here, and only a plain request may become a destroy plan: everything else is declined,
 * restored, cancelled, explained or asked about.
 *
 * @module
 */
import type { Clause } from "./clauses.js";
import { ACTION_STARTS, LEAD_WORDS } from "./clauses.js";
import { hasAny, phraseIndex } from "./normalise.js";

/** The verbs that ask for a destroy ("get rid of dev-2"); the lifecycle family reads them too. */
export const DESTROY_VERBS = [
  "destroy",
  "delete",
  "remove",
  "get rid of",
  "tear down",
  "teardown",
  "nuke",
  "wipe",
  "trash",
  "kill off",
  "throw away",
  "erase",
];

/** Words and phrases that mean destroying, as verbs and as nouns ("the deletion"). */
export const DESTROY_WORDS = [
  ...DESTROY_VERBS,
  "destroying",
  "deleting",
  "removing",
  "deletion",
  "destruction",
  "removal",
  "destroyed",
  "deleted",
  "removed",
  "nuking",
  "wiping",
  "erasing",
];
// Past forms and nouns only mention a destroy ("web got deleted"); they never ask for one.
const MENTION_ONLY = new Set(["destroyed", "deleted", "removed", "deletion", "destruction", "removal"]);
const UNDO_WORDS = [
  "undo",
  "undelete",
  "un-delete",
  "revert",
  "reverse",
  "restore",
  "recover",
  "bring back",
  "roll back",
  "rollback",
  "resurrect",
  "get back",
];
const CANCEL_WORDS = [
  "cancel",
  "abort",
  "call off",
  "never mind",
  "nevermind",
  "forget",
  "scratch",
  "hold off",
  "stop deleting",
  "stop destroying",
  "stop the deletion",
  "stop the destroy",
  "stop the removal",
  "keep",
];
const NEGATIONS = new Set([
  "not",
  "dont",
  "never",
  "doesnt",
  "didnt",
  "shouldnt",
  "wont",
  "mustnt",
  "cannot",
  "nope",
  "no",
]);
const UNSURE_WORDS = new Set([
  "or",
  "if",
  "unless",
  "when",
  "whenever",
  "except",
  "besides",
  "maybe",
  "perhaps",
  "probably",
]);
const COMMAND_WORDS = new Set(["run", "exec", "execute", "type", "command", "sudo"]);
/** Openings that make a clause a question rather than a request. */
const QUESTION_OPENINGS = [
  "what happens",
  "what if",
  "what would",
  "should i",
  "should we",
  "can i",
  "could i",
  "may i",
  "is it safe",
  "how do i",
  "how can i",
  "how would i",
  "how to",
  "is there a way",
  "would it",
  "will it",
  "does it",
  "do i need",
  "am i able",
  "if i",
  "why would",
  "what does",
  "whats the difference",
  "what is the difference",
  "is it possible",
  "do you",
  "are you able",
  "does voxnix",
];
const QUESTION_WORDS = new Set([
  "would",
  "could",
  "will",
  "can",
  "should",
  "might",
  "may",
  "why",
  "what",
  "whats",
  "how",
  "is",
  "are",
  "does",
  "did",
  "do",
  "where",
  "which",
  "when",
  "was",
  "were",
  "has",
  "have",
  "isnt",
  "arent",
]);

/** The position of the first destroy word in `clause`, or -1. */
export function destroyIndex(clause: Clause): number {
  let best = -1;
  for (const phrase of DESTROY_WORDS) {
    const index = phraseIndex(clause.tokens, phrase);
    if (index >= 0 && (best < 0 || index < best)) best = index;
  }
  return best;
}

/** True when the clause mentions undoing. */
export function mentionsUndo(clause: Clause): boolean {
  return hasAny(clause.text, UNDO_WORDS);
}

/** True when the clause mentions cancelling. */
export function mentionsCancel(clause: Clause): boolean {
  return hasAny(clause.text, CANCEL_WORDS);
}

/** True when a negation stands before `verbIndex` in the clause ("please don't stop it", "I do not want web deleted"). */
export function isNegated(clause: Clause, verbIndex: number): boolean {
  const before = clause.tokens.slice(0, Math.max(0, verbIndex));
  if (before.some((token) => NEGATIONS.has(token))) return true;
  // "delete nothing", "remove none of them"
  return clause.tokens.slice(verbIndex + 1, verbIndex + 3).some((token) => token === "nothing" || token === "none");
}

/** True when the clause asks about something rather than asking for it. */
export function isQuestion(clause: Clause): boolean {
  const lead = stripLead(clause.tokens);
  const text = lead.join(" ");
  if (QUESTION_OPENINGS.some((opening) => text.startsWith(`${opening} `) || text === opening)) return true;
  const first = lead[0];
  if (first === undefined || !QUESTION_WORDS.has(first)) return false;
  // "do not delete web" is an instruction, not a question.
  if ((first === "do" || first === "does" || first === "did") && lead[1] === "not") return false;
  // "can you stop web" and "could you delete it" are polite requests, not questions.
  return !(["can", "could", "would", "will"].includes(first) && ["you", "u", "ya", "yo"].includes(lead[1] ?? ""));
}

/** True when only lead words (and other verbs joined by "and") stand before `verbIndex`: a plain request. */
export function isPlainRequest(clause: Clause, verbIndex: number): boolean {
  // "run rm -rf in web" names a command, not a request to destroy anything.
  return clause.tokens
    .slice(0, verbIndex)
    .every(
      (token) =>
        !COMMAND_WORDS.has(token) &&
        (LEAD_WORDS.has(token) || ACTION_STARTS.has(token) || token === "the" || token === "it" || token === "down"),
    );
}

/** How a clause that mentions destroying should be read. */
export type DestroyReading = "restore" | "cancel" | "declined" | "question" | "mention" | "request" | "unclear";

/** Reads a clause that contains a destroy word at `verbIndex`; only "request" may lead to a destroy plan. */
export function readDestroy(clause: Clause, verbIndex: number): DestroyReading {
  if (isQuestion(clause)) return "question";
  if (mentionsUndo(clause)) return "restore";
  if (mentionsCancel(clause)) return "cancel";
  if (isNegated(clause, verbIndex)) return "declined";
  if (MENTION_ONLY.has(clause.tokens[verbIndex]!)) return "mention";
  // "delete web or just stop it?", "delete web if it's stopped", "remove everything except web",
  // "remove me": a choice, a condition, an exception or a person is never a plain request.
  if (
    clause.tokens.some((token) => UNSURE_WORDS.has(token)) ||
    hasAny(clause.text, ["other than", "apart from", "but not"])
  )
    return "unclear";
  if (
    clause.tokens.slice(verbIndex + 1).some((token) => token === "me" || token === "myself" || token === "us") &&
    !clause.tokens.slice(verbIndex + 1).some((token) => token === "it" || token === "that")
  )
    return "unclear";
  if (isPlainRequest(clause, verbIndex)) return "request";
  return "unclear";
}

function stripLead(tokens: readonly string[]): readonly string[] {
  let index = 0;
  while (
    index < tokens.length &&
    ["please", "pls", "ok", "okay", "so", "hey", "and", "but", "also", "then", "um", "hmm", "oh", "voxnix"].includes(
      tokens[index]!,
    )
  )
    index += 1;
  return tokens.slice(index);
}
