/**
 * Reads one clause into an intent. The destroy reading comes first and is decided by
 * `polarity.ts`: only a plain request becomes a destroy; a negated, undone, cancelled,
 * questioned or unclear one becomes something harmless (declined, restore, cancel, an
 * explanation or a question back). Then VMs, create, cancel, lifecycle, access and
 * inspection, each with negation and questions respected.
 *
 * @module
 */
import type { Intent, Target } from "./types.js";
import type { Clause } from "./clauses.js";
import type { ParseContext } from "./parse.js";
import { ACTION_STARTS } from "./clauses.js";
import { firstPhrase, hasAny } from "./normalise.js";
import { parseDialogue } from "./dialogue.js";
import { createVerbIndex, isCreate, parseCreate } from "./create.js";
import { parseLifecycle } from "./lifecycle.js";
import { parseInspect } from "./inspect.js";
import { findModules } from "./modules.js";
import { DESTROY_WORDS, isNegated, isQuestion, mentionsCancel, readDestroy } from "./polarity.js";
import { parseAccess, parseVm } from "./questions.js";
import { findTarget } from "./target.js";
import { parseChange } from "./change.js";
import { asksForLater } from "./idle-phrase.js";

const CANCEL_CLAUSES = [
  "cancel",
  "cancel that",
  "cancel it",
  "abort",
  "abort that",
  "never mind",
  "nevermind",
  "forget it",
  "forget that",
  "scratch that",
  "no wait",
  "wait no",
  "stop stop",
  "hold on",
];
const NEGATION_OPENERS = new Set(["not", "no", "dont", "never", "nope", "nah"]);
const OBJECT_FILLERS = new Set([
  "the",
  "my",
  "a",
  "an",
  "all",
  "of",
  "this",
  "these",
  "those",
  "old",
  "some",
  "its",
  "his",
  "her",
]);
const INSIDE_OBJECTS = new Set([
  "logs",
  "log",
  "files",
  "file",
  "data",
  "history",
  "messages",
  "message",
  "conversation",
  "chat",
  "cache",
  "snapshot",
  "snapshots",
  "contents",
  "content",
  "workspace",
  "folder",
  "directory",
  "dir",
  "database",
  "db",
  "module",
  "modules",
  "package",
  "packages",
  "user",
  "users",
  "account",
  "key",
  "keys",
  "password",
  "line",
  "lines",
  "stuff",
  "output",
]);
const HOW_TO = [
  "how do i",
  "how can i",
  "how to",
  "how would i",
  "can i",
  "could i",
  "may i",
  "should i",
  "is it possible to",
];

/** Reads one clause; undefined when it says nothing the engine acts on. */
export function parseClause(clause: Clause, context: ParseContext): Intent | undefined {
  return readClause(clause, context) ?? undefined;
}

// null: the clause only mentions something ("web got deleted") and must not be read further.
function readClause(clause: Clause, context: ParseContext): Intent | null | undefined {
  if (clause.tokens.length === 0) return undefined;
  const { knownNames } = context;
  // "stop web, not api": a bare negation adds nothing.
  if (
    NEGATION_OPENERS.has(clause.tokens[0]!) &&
    clause.tokens.length <= 3 &&
    !clause.tokens.some((token) => ACTION_STARTS.has(token))
  )
    return undefined;
  const vm = parseVm(clause);
  if (vm) return vm;
  const destroy = firstPhrase(clause.tokens, DESTROY_WORDS);
  if (destroy) {
    return readDestroyClause(clause, destroy.index, destroy.length, context);
  }
  // "keep web", "but keep web": that one stays; anything else in the message may still happen.
  const keep = clause.tokens.findIndex(
    (token) => token !== "but" && token !== "and" && token !== "please" && token !== "just",
  );
  if (keep >= 0 && clause.tokens[keep] === "keep" && clause.tokens.length - keep <= 4)
    return { type: "declined", verb: "destroy", target: findTarget(clause.tokens, keep + 1, keep, knownNames) };
  if (CANCEL_CLAUSES.includes(clause.text) || (mentionsCancel(clause) && !isCreate(clause))) return { type: "cancel" };
  // "add code-server to dev", "give web 2 CPUs": a change of one of the person's own workloads.
  const change = hasAny(clause.text, HOW_TO) ? undefined : parseChange(clause, context);
  // A create verb ("create web with 2 cpus") is never read as changing an existing workload:
  // the person asked for a new one, and the create says plainly if the name is taken.
  if (change && !isCreate(clause) && !/\b(called|named|new)\b/.test(clause.text)) return change;
  // "make my workspace on api 30 gigs", "make its workspace bigger": "make" with one of the person's own workloads (or "it") and a
  // workspace size, and nothing that names a new one, resizes that workload's workspace.
  if (
    change?.workspaceSize !== undefined &&
    (change.target.kind === "named" || change.target.kind === "reference") &&
    isResizeWithMake(clause)
  )
    return change;
  if (isCreate(clause) && !isQuestion(clause)) return readCreate(clause, context);
  const access = parseAccess(clause, knownNames);
  if (access) return access;
  // "… and run rm -rf / in web": a command not at the start of the message is not run, and "run" is not a start.
  if (isCommandRequest(clause.tokens)) return undefined;
  const question = isQuestion(clause);
  const lifecycle = question && !hasAny(clause.text, HOW_TO) ? undefined : parseLifecycle(clause, knownNames);
  if (lifecycle) {
    if (isNegated(clause, actionIndex(clause)))
      return { type: "declined", verb: lifecycle.type, target: lifecycle.target };
    if (question) return { type: "clarify", verb: lifecycle.type, target: lifecycle.target, why: "question" };
    // "stop web tonight", "restart web in 10 minutes": nothing runs later; doing it now would invert the request.
    if (asksForLater(clause.text))
      return { type: "clarify", verb: lifecycle.type, target: lifecycle.target, why: "later" };
    const names = [...new Set(clause.tokens.filter((token) => knownNames.includes(token)))];
    // "stop web and api": one request per workload (harmless verbs only; destroy was read above).
    if (names.length > 1 && lifecycle.type !== "restore")
      return {
        type: "several",
        intents: names.map((name) => ({ type: lifecycle.type, target: { kind: "named", name } })),
      };
    return lifecycle;
  }
  const inspect = parseInspect(clause, knownNames);
  if (inspect) return inspect;
  // "why is sandbox broken?", "is dev ok": a question about one of the person's workloads.
  const named = knownNames.find((name) => clause.tokens.includes(name));
  if (question && named !== undefined) return { type: "show", target: { kind: "named", name: named } };
  const dialogue = parseDialogue(clause);
  if (dialogue) return dialogue;
  return undefined;
}

// "don't create a container", "no need for a new box": declined, so a later "yes" to a name
// question can never create one; "create web tomorrow": nothing here runs later.
function readCreate(clause: Clause, context: ParseContext): Intent {
  const create = parseCreate(clause, context.catalogNames);
  // "create a container tomorrow": "tomorrow" is when, not a name.
  const name = create.name !== undefined && !asksForLater(create.name) ? create.name : undefined;
  const target: Target = name !== undefined ? { kind: "named", name } : { kind: "none" };
  if (isNegated(clause, createVerbIndex(clause))) return { type: "declined", verb: "create", target };
  if (asksForLater(clause.text)) return { type: "clarify", verb: "create", target, why: "later" };
  return create;
}

function readDestroyClause(clause: Clause, index: number, length: number, context: ParseContext): Intent | null {
  const target = (): Target => findTarget(clause.tokens, index + length, index, context.knownNames);
  switch (readDestroy(clause, index)) {
    case "restore":
      return { type: "restore", target: target() };
    case "cancel":
      return { type: "cancel" };
    case "declined":
      return { type: "declined", verb: "destroy", target: target() };
    case "question":
      return { type: "clarify", verb: "destroy", target: target(), why: "question" };
    case "unclear":
      return { type: "clarify", verb: "destroy", target: target(), why: "unclear" };
    case "mention":
      return null;
    case "request":
      return destroyRequest(clause, index, length, context);
  }
}

function destroyRequest(clause: Clause, index: number, length: number, context: ParseContext): Intent {
  const { tokens } = clause;
  const target = findTarget(tokens, index + length, index, context.knownNames);
  // "remove git from web": a change to a container, not its destruction.
  const from = tokens.indexOf("from", index + length);
  const object = tokens.slice(index + length).find((token) => !OBJECT_FILLERS.has(token));
  // "delete the logs of web", "wipe the workspace of dev": something inside a container, not the container.
  const inside = object !== undefined && INSIDE_OBJECTS.has(object) && !context.knownNames.includes(object);
  const modules = findModules(tokens.slice(index + length), context.catalogNames).map((mention) => mention.module);
  // "remove fish from dev": the module goes, the container stays (a change that asks for confirmation).
  if (!inside && modules.length > 0 && target.kind === "named" && !modules.includes(target.name)) {
    return { type: "change", target, addModules: [], removeModules: modules, negated: false };
  }
  if (!inside && modules.length > 0 && target.kind === "reference")
    return { type: "change", target, addModules: [], removeModules: modules, negated: false };
  if (inside || from > index + length || modules.length > 0) {
    return { type: "clarify", verb: "destroy", target, why: "modify" };
  }
  const names = context.knownNames.filter((name) => tokens.includes(name));
  if (names.length > 1) return { type: "clarify", verb: "destroy", target: { kind: "all" }, why: "several" };
  if (asksForLater(clause.text)) return { type: "clarify", verb: "destroy", target, why: "later" };
  return { type: "destroy", target };
}

const NEW_WORKLOAD_WORDS = /\b(called|named|new|a|an|another|container|box|vm|machine|sandbox|me|us)\b/;

/** True when the only create word is "make" and nothing asks for a new workload. */
function isResizeWithMake(clause: Clause): boolean {
  return (
    clause.tokens.includes("make") &&
    !NEW_WORKLOAD_WORDS.test(clause.text) &&
    !/\b(create|spin|provision|deploy|launch|build)\b/.test(clause.text)
  );
}

// "run <words> in <name>": a run/exec verb with a place at least two words later (one pass).
function isCommandRequest(tokens: readonly string[]): boolean {
  let verbAt = -1;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (verbAt < 0 && (token === "run" || token === "exec" || token === "execute")) verbAt = index;
    else if (verbAt >= 0 && index >= verbAt + 2 && (token === "in" || token === "on" || token === "inside"))
      return true;
  }
  return false;
}

function actionIndex(clause: Clause): number {
  const index = clause.tokens.findIndex((token) => ACTION_STARTS.has(token));
  return index < 0 ? clause.tokens.length : index;
}
