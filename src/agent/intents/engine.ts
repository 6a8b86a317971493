/**
 * The offline intent engine: parse one message deterministically, resolve references from
 * memory, call the core through the turn, and word the result. It needs no model and no
 * keys, and it is what slash commands, "yes"/"no" replies and the model fallback use.
 *
 * @module
 */
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { CreateRequest, ExecIntent, Intent, WorkloadRequest } from "./types.js";
import type { ChatContext, EngineOutcome } from "../chat-context.js";
import { explainError } from "../explain-error.js";
import { NeedsConfirmationError } from "../../domain/errors.js";
import { looksLikeName, normalise } from "./normalise.js";
import { parseIntent } from "./parse.js";
import { resolveTarget, suggestFreeName } from "./resolver.js";
import { parseConfirmation } from "./dialogue.js";
import { cancelPending, confirmPending } from "../confirmations.js";
import { jobSummary } from "../turn.js";
import * as replies from "../replies.js";

/** Handles one message with the offline engine. Never throws. */
export async function runOffline(text: string, context: ChatContext): Promise<EngineOutcome> {
  try {
    const names = await context.ownNames();
    const intent = parseIntent(text, { knownNames: names, catalogNames: context.core.modules().map((module) => module.name), self: context.actor.userId });
    const answered = answerQuestion(text, intent, context);
    if (answered) return await execute(answered, context, names);
    return await execute(intent, context, names);
  } catch (error) {
    return { text: explainError(error) };
  }
}

// A reply to "What should I call it?" is a bare name, or "yes"/"ok" for the suggestion.
function answerQuestion(text: string, intent: Intent, context: ChatContext): Intent | undefined {
  const question = context.state.question;
  if (!question) return undefined;
  const input = normalise(text);
  const short = parseConfirmation(input);
  let name: string | undefined;
  if (short?.type === "confirm" && question.suggestion) name = question.suggestion;
  else if (intent.type === "unknown" || (intent.type === "show" && input.tokens.length === 1)) {
    const words = input.tokens.filter((token) => !["call", "it", "name", "named", "called", "use", "lets", "let", "go", "with", "please"].includes(token));
    if (words.length === 1 && looksLikeName(words[0]!)) name = words[0];
  }
  if (name === undefined) return undefined;
  const request = question.request;
  return request.type === "create" ? { ...request, name } : { ...request, target: { kind: "named", name } };
}

async function execute(intent: Intent, context: ChatContext, names: readonly string[]): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  switch (intent.type) {
    case "create":
      return create(intent, context, names);
    case "list": {
      const result = await turn.call("list", {}, () => core.list(actor), (list) => ({ workloads: list.workloads.map((workload) => workload.name) }));
      return { text: replies.describeList(result) };
    }
    case "storage": {
      const report = await turn.call("storage", {}, () => core.storage(actor), (value) => ({ usedBytes: value.usage.usedBytes, quotaBytes: value.usage.quotaBytes }));
      return { text: replies.describeStorage(report) };
    }
    case "whoami": {
      const user = await turn.call("whoami", {}, () => core.whoami(actor), (value) => ({ id: value.id, role: value.role, status: value.status }));
      return { text: replies.describeWhoami(user) };
    }
    case "help":
      return { text: replies.describeHelp(core.modules(), intent.greeting) };
    case "unknown":
      return { text: `Sorry, I didn't understand that.\n${replies.describeHelp(core.modules())}` };
    case "reset":
      turn.resetRequested = true;
      return { text: "Okay, I've forgotten our conversation. What would you like to do?" };
    case "other-user":
      return { text: "I can only act on your own containers, and who you are comes from this chat, not from the message. Nothing was done." };
    case "confirm":
      if (context.state.pending) return confirmPending(context, context.state.pending.token);
      return { text: "There is nothing waiting for your confirmation." };
    case "cancel":
      if (context.state.pending) return cancelPending(context, context.state.pending.token);
      return context.state.question ? { text: "Okay, never mind." } : { text: "Okay, nothing to cancel." };
    case "exec":
      return execCommand(intent, context, names);
    default:
      return workloadOperation(intent, context, names);
  }
}

async function create(request: CreateRequest, context: ChatContext, names: readonly string[]): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  if (request.name === undefined) {
    const suggestion = await suggestFreeName(core, actor, names);
    return { text: `What should I call it? For example: ${suggestion}`, question: { request, suggestion } };
  }
  const input: ContainerSpecInput = {
    name: request.name,
    modules: [...request.modules],
    resources: { ...(request.cpus !== undefined ? { cpus: request.cpus } : {}), ...(request.memory !== undefined ? { memory: request.memory } : {}) },
    workspace: { enabled: request.workspace ?? true, ...(request.workspaceSize !== undefined ? { size: request.workspaceSize } : {}) },
  };
  const record = { name: request.name, modules: [...request.modules], ...(request.cpus !== undefined ? { cpus: request.cpus } : {}), ...(request.memory !== undefined ? { memory: request.memory } : {}), ...(request.workspace === false ? { workspace: false } : {}) };
  try {
    if (context.dryRun) {
      const plan = await turn.call("planCreate", record, () => core.planCreate(actor, input), (value) => ({ name: value.spec.name, modules: value.spec.modules, backend: value.backend }));
      return { text: replies.describeCreatePlan(plan) };
    }
    const job = await turn.call("create", record, () => core.create(actor, input), jobSummary);
    turn.job = job;
    return { text: replies.describeCreateStarted(request.name, request.modules) };
  } catch (error) {
    return { text: explainError(error) };
  }
}

/** How long a command typed in the chat may run before it is stopped. */
const CHAT_EXEC_TIMEOUT_MS = 60_000;

async function execCommand(request: ExecIntent, context: ChatContext, names: readonly string[]): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget("show", request.target, context.state.focus, names);
  if (resolution.kind === "ask") return { text: resolution.text };
  const name = resolution.name;
  const argv = [...request.argv];
  try {
    const result = await turn.call("exec", { name, argv }, () => core.exec(actor, { name, argv, timeoutMs: CHAT_EXEC_TIMEOUT_MS }), (value) => ({ exitCode: value.exitCode, timedOut: value.timedOut }));
    return { text: replies.describeExec(name, argv, result) };
  } catch (error) {
    return { text: explainError(error) };
  }
}

async function workloadOperation(request: WorkloadRequest, context: ChatContext, names: readonly string[]): Promise<EngineOutcome> {
  const { core, actor, turn } = context;
  const resolution = resolveTarget(request.type, request.target, context.state.focus, names);
  const { focus, focusPlannedOnly } = context.state;
  if (resolution.kind === "ask" && focus !== undefined && focusPlannedOnly && request.target.kind !== "named" && !names.includes(focus)) {
    return { text: `${focus} was only planned in a dry run, so it does not exist yet. Create it without --dry-run first.` };
  }
  if (resolution.kind === "ask") return { text: resolution.text, question: { request } };
  const name = resolution.name;
  try {
    switch (request.type) {
      case "start":
        await turn.call("start", { name }, () => core.start(actor, name), (view) => ({ live: view.live }));
        return { text: `${name} is started.` };
      case "stop":
        await turn.call("stop", { name }, () => core.stop(actor, name), (view) => ({ live: view.live }));
        return { text: `${name} is stopped.` };
      case "restart":
        await turn.call("restart", { name }, () => core.restart(actor, name), (view) => ({ live: view.live }));
        return { text: `${name} is restarted.` };
      case "destroy":
        await turn.call("destroy", { name }, () => core.destroy(actor, name));
        return { text: `${name} was not destroyed.` };
      case "restore": {
        const job = await turn.call("restore", { name }, () => core.restore(actor, name), jobSummary);
        turn.job = job;
        return { text: `Restoring ${name} from its snapshot. I'll tell you when it's back.` };
      }
      case "show": {
        const details = await turn.call("show", { name }, () => core.show(actor, name), (value) => ({ status: value.status, live: value.live }));
        return { text: replies.describeDetails(details) };
      }
      case "logs": {
        const lines = request.lines ?? 20;
        const entries = await turn.call("logs", { name, lines }, () => core.logs(actor, name, { lines }), (value) => ({ lines: value.length }));
        return { text: replies.describeLogs(name, entries) };
      }
    }
  } catch (error) {
    if (error instanceof NeedsConfirmationError) {
      return { text: replies.describeDestroyPlan(error.plan, error.expiresAt, context.clock.now()) };
    }
    return { text: explainError(error) };
  }
}
