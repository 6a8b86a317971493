/**
 * The offline engine's parser: one message in, one `Intent` out, deterministically. Slash
 * commands, other users, commands to run and bare confirmations are read from the whole
 * message; everything else is split into clauses (`clauses.ts`), each read on its own
 * (`clause.ts`), and combined: "don't delete web, just stop it" is a declined destroy plus a
 * stop of web, never a destroy.
 *
 * @module
 */
import type { Intent, Target } from "./types.js";
import type { UserId } from "../../domain/identity.js";
import { normalise } from "./normalise.js";
import { targetOfWord } from "./target.js";
import { parseSlash } from "./slash.js";
import { parseConfirmation, parseDialogue } from "./dialogue.js";
import { parseExec } from "./exec.js";
import { splitClauses, ACTION_STARTS, LEAD_WORDS, type Clause } from "./clauses.js";
import { parseClause } from "./clause.js";
import { isQuestion } from "./polarity.js";
import { correctFirstVerb } from "./spelling.js";
import { findIdlePhrase, findIdleTimeoutRequest } from "./idle-phrase.js";
import { parseKeep } from "./keep.js";

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
const POSSESSIVE = /\b([a-z][a-z0-9-]*)['\u2019]s\b/gi;
const NOT_PEOPLE = new Set([
  "it",
  "that",
  "this",
  "what",
  "who",
  "there",
  "here",
  "how",
  "where",
  "let",
  "he",
  "she",
  "one",
  "today",
  "yesterday",
  "tomorrow",
  "container",
  "box",
  "machine",
  "vm",
  "server",
  "everything",
  "nothing",
  "name",
  "when",
  "why",
  "which",
  "workspace",
  "week",
  "night",
]);

/** The most requests one message may carry; more is refused as a whole. */
export const MAX_REQUESTS_PER_MESSAGE = 4;

/** Every single request one message makes, with "several" opened up (the tools' check of the person's own words). */
export function parseRequests(raw: string, context: ParseContext): Intent[] {
  const flatten = (intent: Intent): Intent[] =>
    intent.type === "several" ? intent.intents.flatMap(flatten) : [intent];
  return flatten(parseIntent(raw, context));
}

/** Parses one message. Never throws. */
export function parseIntent(raw: string, context: ParseContext): Intent {
  // "create web and stop it after 2 hours idle": the idle phrase belongs to the create and is
  // taken out first, so "and stop it …" is not read as a second request. Anything but a create
  // is read from the whole message as usual.
  const idle = findIdlePhrase(raw);
  if (idle) {
    const withIdle = attachIdleTimeout(parseMessage(idle.rest, context), idle.timeout);
    if (withIdle) return withIdle;
  }
  // "stop web after 2 hours idle": a timeout for a workload that exists, never a stop now.
  const timeout = findIdleTimeoutRequest(raw);
  const timeoutTarget = timeout && targetOfWord(timeout.name, context.knownNames);
  if (timeout && timeoutTarget) return { type: "idle-timeout", target: timeoutTarget, timeout: timeout.timeout };
  return parseMessage(raw, context);
}

/** The create in `intent` (alone, or the only create of several) with the idle timeout; undefined without one. */
function attachIdleTimeout(intent: Intent, timeout: string): Intent | undefined {
  if (intent.type === "create") return { ...intent, idleTimeout: timeout };
  if (intent.type !== "several") return undefined;
  const creates = intent.intents.filter((item) => item.type === "create");
  if (creates.length !== 1) return undefined;
  return {
    type: "several",
    intents: intent.intents.map((item) => (item.type === "create" ? { ...item, idleTimeout: timeout } : item)),
  };
}

function parseMessage(raw: string, context: ParseContext): Intent {
  // "keep" answers an idle warning; read before slash commands so /keep is not taken for help.
  const keep = parseKeep(raw, context.knownNames);
  if (keep) return keep;
  const slash = parseSlash(raw, context.knownNames, context.catalogNames);
  if (slash) return slash;
  // Identity comes from the channel, never from the text: a message naming another user is refused outright.
  for (const match of raw.matchAll(USER_MENTION)) {
    const mentioned = match[0].replace(/\s+/g, "").toLowerCase();
    if (mentioned !== context.self?.toLowerCase()) return { type: "other-user", mentioned };
  }
  // "bob's dev", "my friend's container": someone else's workload, by a name that is not one of the person's own.
  for (const match of raw.matchAll(POSSESSIVE)) {
    const owner = match[1]!.toLowerCase();
    if (!NOT_PEOPLE.has(owner) && !context.knownNames.includes(owner)) return { type: "other-user", mentioned: owner };
  }
  // Before normalising: the command keeps its case, quotes and punctuation.
  const exec = parseExec(raw);
  if (exec) return exec;
  const whole = normalise(raw);
  if (whole.tokens.length === 0) return { type: "help" };
  const confirmation = parseConfirmation(correct(whole, context));
  if (confirmation) return confirmation;
  const dialogue = parseDialogue(whole);
  if (dialogue?.type === "reset") return dialogue;
  return combine(
    readClauses(
      splitClauses(raw).map((clause) => correct(clause, context)),
      context,
    ),
    dialogue,
  );
}

function correct(clause: Clause, context: ParseContext): Clause {
  const corrected = correctFirstVerb(clause.tokens, context.knownNames);
  return corrected === undefined ? clause : normalise(corrected);
}

/** An intent with the person's workload names its clause mentioned, for "it" later in the message. */
interface ReadClause {
  intent?: Intent;
  clause: Clause;
  names: readonly string[];
  /** Clauses merged into this one since it was read ("name it blog", "with git"); read again once at the end. */
  merged?: string[];
}

function readClauses(clauses: readonly Clause[], context: ParseContext): ReadClause[] {
  const read: ReadClause[] = [];
  let previous: ReadClause | undefined;
  for (const clause of clauses) {
    const intent = parseClause(clause, context);
    const names = context.knownNames.filter((name) => clause.tokens.includes(name));
    // "create a container. name it blog. with git": details after a create belong to it. They
    // are collected and the create is read once at the end, so long messages stay linear.
    if (
      previous?.intent?.type === "create" &&
      (intent === undefined || intent.type === "storage") &&
      !startsWithAction(clause)
    ) {
      (previous.merged ??= []).push(clause.text);
      continue;
    }
    // "delete web, api and dev": a clause of names only continues the list before it.
    if (
      previous?.intent !== undefined &&
      names.length > 0 &&
      clause.tokens.every((token) => context.knownNames.includes(token) || LIST_GLUE.has(token))
    ) {
      (previous.merged ??= []).push(clause.text);
      continue;
    }
    // "delete web? no, stop it", "delete web. just kidding": a correction takes back what came before.
    if (isRetraction(clause) && read.some((entry) => entry.intent !== undefined)) {
      for (const entry of read) delete entry.intent;
      read.push({ intent: intent ?? { type: "cancel" }, clause, names });
      previous = read[read.length - 1];
      continue;
    }
    read.push({ ...(intent ? { intent } : {}), clause, names });
    if (intent !== undefined) previous = read[read.length - 1];
  }
  for (const entry of read) {
    if (entry.merged === undefined || entry.intent === undefined) continue;
    entry.clause = normalise(`${entry.clause.text} ${entry.merged.join(" ")}`);
    entry.intent = parseClause(entry.clause, context) ?? entry.intent;
  }
  return read;
}

const LIST_GLUE = new Set(["and", "or", "the", "too", "also", "plus", "as", "well"]);
const RETRACTIONS = new Set([
  "no",
  "nope",
  "nah",
  "wait",
  "actually",
  "scratch",
  "that",
  "i",
  "mean",
  "sorry",
  "oops",
  "kidding",
  "just",
  "jk",
  "joking",
  "hold",
  "on",
  "rather",
  "instead",
  "on",
  "second",
  "thought",
  "thoughts",
  "not",
]);

function isRetraction(clause: Clause): boolean {
  const first = clause.tokens[0];
  if (
    first === "no" ||
    first === "nope" ||
    first === "nah" ||
    first === "wait" ||
    first === "oops" ||
    first === "actually" ||
    first === "instead" ||
    first === "rather" ||
    clause.text.startsWith("i mean") ||
    clause.text.startsWith("on second thought")
  )
    return true;
  return (
    clause.tokens.length > 0 &&
    clause.tokens.length <= 4 &&
    clause.tokens.every((token) => RETRACTIONS.has(token)) &&
    clause.text !== "that"
  );
}

// True when `sparing` (a cancel, restore or declined destroy) may be about the same container as `destroy`.
function overlaps(sparing: Intent, destroy: Intent): boolean {
  if (sparing.type === "cancel" || !("target" in sparing) || !("target" in destroy)) return true;
  const name = (target: Target) => (target.kind === "named" || target.kind === "unknown" ? target.name : undefined);
  const spared = name(sparing.target);
  const destroyed = name(destroy.target);
  return spared === undefined || destroyed === undefined || spared === destroyed;
}

function startsWithAction(clause: Clause): boolean {
  const first = clause.tokens.find((token) => !LEAD_WORDS.has(token));
  return ACTION_STARTS.has(first ?? "") || isQuestion(clause);
}

function combine(read: readonly ReadClause[], dialogue: Intent | undefined): Intent {
  const found = resolveWithinMessage(read).flatMap((intent) => (intent.type === "several" ? intent.intents : [intent]));
  // Greetings, help and a "yes" inside a longer message add nothing; a bare "yes" was handled above.
  let intents = found.filter((intent) =>
    found.length === 1 ? true : intent.type !== "help" && intent.type !== "confirm" && intent.type !== "unknown",
  );
  if (intents.length === 0) return dialogue ?? { type: "unknown" };
  // A message that also cancels, or declines or undoes the same container, never plans a
  // destroy ("remove api? no keep it"); "destroy dev but keep web" still plans dev.
  const spared = intents.filter(
    (intent) =>
      intent.type === "cancel" ||
      intent.type === "restore" ||
      (intent.type === "declined" && intent.verb === "destroy"),
  );
  if (spared.length > 0) {
    intents = intents.filter((intent) => intent.type !== "destroy" || !spared.some((other) => overlaps(other, intent)));
    if (intents.length === 0) return { type: "cancel" };
  }
  // Unsure whether a destroy is meant: ask, and do nothing else in that message.
  const unsure = intents.find((intent) => intent.type === "clarify" && intent.verb === "destroy");
  if (unsure !== undefined) return unsure;
  const resolved = intents;
  if (resolved.length === 1) return resolved[0]!;
  if (resolved.length > MAX_REQUESTS_PER_MESSAGE)
    return { type: "clarify", verb: "show", target: { kind: "none" }, why: "several" };
  const destroys = resolved.filter((intent) => intent.type === "destroy");
  if (destroys.length > 1) {
    // Two destroy plans in one message are never prepared: one container at a time.
    return {
      type: "several",
      intents: [
        ...resolved.filter((intent) => intent.type !== "destroy"),
        { type: "destroy", target: { kind: "all" } },
      ],
    };
  }
  return { type: "several", intents: resolved };
}

// "don't delete web, just stop it": "it" is the workload the same message named before, and
// "why is sandbox broken? show logs" shows the logs of sandbox. A destroy never borrows a
// name this way unless the person said "it".
function resolveWithinMessage(read: readonly ReadClause[]): Intent[] {
  let lastName: string | undefined;
  const intents: Intent[] = [];
  for (const entry of read) {
    const intent = entry.intent;
    const target: Target | undefined = intent !== undefined && "target" in intent ? intent.target : undefined;
    if (intent !== undefined) {
      const borrow =
        lastName !== undefined &&
        (target?.kind === "reference" ||
          (target?.kind === "none" && intent.type !== "destroy" && intent.type !== "restore"));
      intents.push(borrow ? ({ ...intent, target: { kind: "named", name: lastName } } as Intent) : intent);
    }
    if (target?.kind === "named") lastName = target.name;
    else if (intent?.type === "create" && intent.name !== undefined) lastName = intent.name;
    else if (entry.names.length > 0) lastName = entry.names[entry.names.length - 1];
  }
  return intents;
}
