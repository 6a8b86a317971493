/**
 * The offline intent engine: parse one message deterministically, resolve references from
 * memory, call the core through the turn, and word the result. It needs no model and no
 * keys, and it is what slash commands, "yes"/"no" replies and the model fallback use.
 *
 * @module
 */
import type { Intent } from "./types.js";
import type { ChatContext, EngineOutcome } from "../chat-context.js";
import { explainError } from "../../api/error-wording.js";
import { looksLikeName, normalise } from "./normalise.js";
import { parseIntent } from "./parse.js";
import { parseConfirmation } from "./dialogue.js";
import { cancelPending, confirmPending } from "../confirmations.js";
import { changeOperation, create, execCommand, keep, setIdleTimeout, workloadOperation } from "./operations.js";
import { describeAccess, describeClarify, describeDeclined, targetName } from "./wording.js";
import { describeVmAnswer } from "./vm.js";
import * as replies from "../replies.js";

/** Handles one message with the offline engine. Never throws. */
export async function runOffline(text: string, context: ChatContext): Promise<EngineOutcome> {
  try {
    const names = await context.ownNames();
    const intent = parseIntent(text, {
      knownNames: names,
      catalogNames: context.core.modules().map((module) => module.name),
      self: context.actor.userId,
    });
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
    const words = input.tokens.filter(
      (token) =>
        !["call", "it", "name", "named", "called", "use", "lets", "let", "go", "with", "please"].includes(token),
    );
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
      const result = await turn.call(
        "list",
        {},
        () => core.list(actor),
        (list) => ({ workloads: list.workloads.map((workload) => workload.name) }),
      );
      return { text: replies.describeList(result) };
    }
    case "storage": {
      const report = await turn.call(
        "storage",
        {},
        () => core.storage(actor),
        (value) => ({ usedBytes: value.usage.usedBytes, quotaBytes: value.usage.quotaBytes }),
      );
      return { text: replies.describeStorage(report) };
    }
    case "whoami": {
      const user = await turn.call(
        "whoami",
        {},
        () => core.whoami(actor),
        (value) => ({ id: value.id, role: value.role, status: value.status }),
      );
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
      return {
        text: "I can only act on your own containers, and who you are comes from this chat, not from the message. Nothing was done.",
      };
    case "confirm":
      if (context.state.pending) return confirmPending(context, context.state.pending.token);
      return { text: "There is nothing waiting for your confirmation." };
    case "cancel":
      if (context.state.pending) return cancelPending(context, context.state.pending.token);
      return context.state.question ? { text: "Okay, never mind." } : { text: "Okay, nothing to cancel." };
    case "exec":
      return execCommand(intent, context, names);
    case "vm":
      return { text: describeVmAnswer(core.workloadKinds(), intent.foreign === true) };
    case "access": {
      const name = targetName(intent.target, context.state.focus) ?? (names.length === 1 ? names[0] : undefined);
      const dashboard = context.dashboardUrl ? { dashboardUrl: context.dashboardUrl } : {};
      if (!context.sshAccess) return { text: describeAccess(name, names, dashboard) };
      const keys = await core.listSshKeys(actor).catch(() => []);
      return {
        text: describeAccess(name, names, { ssh: { access: context.sshAccess, keys: keys.length }, ...dashboard }),
      };
    }
    case "declined":
      // Saying no to something also drops a destroy plan waiting for "yes".
      if (context.state.pending && intent.verb === "destroy") cancelPending(context, context.state.pending.token);
      return { text: describeDeclined(intent.verb, targetName(intent.target, context.state.focus)) };
    case "clarify":
      return { text: describeClarify(intent.verb, targetName(intent.target, context.state.focus), intent.why) };
    case "several":
      return several(mergeChanges(intent.intents), context, names);
    case "keep":
      return keep(intent.target, context);
    case "idle-timeout":
      return setIdleTimeout(intent.target, intent.timeout, context, names);
    case "change":
      return changeOperation(intent, context, names);
    default:
      return workloadOperation(intent, context, names);
  }
}

// "add devtools to web and give it 2 CPUs": changes of the same workload next to each other
// become one change, so one plan (and at most one confirmation) covers them.
function mergeChanges(intents: readonly Intent[]): Intent[] {
  const merged: Intent[] = [];
  for (const intent of intents) {
    const last = merged[merged.length - 1];
    if (
      intent.type === "change" &&
      last?.type === "change" &&
      !intent.negated &&
      !last.negated &&
      (intent.target.kind === "reference" ||
        (intent.target.kind === "named" && last.target.kind === "named" && intent.target.name === last.target.name))
    ) {
      merged[merged.length - 1] = {
        ...last,
        addModules: [...last.addModules, ...intent.addModules],
        removeModules: [...last.removeModules, ...intent.removeModules],
        ...(intent.cpus === undefined ? {} : { cpus: intent.cpus }),
        ...(intent.memory === undefined ? {} : { memory: intent.memory }),
        ...(intent.workspaceSize === undefined ? {} : { workspaceSize: intent.workspaceSize }),
      };
      continue;
    }
    merged.push(intent);
  }
  return merged;
}

// Several requests in one message, in order; each one's reply on its own line. The last
// question asked (if any) is the one remembered.
async function several(
  intents: readonly Intent[],
  context: ChatContext,
  names: readonly string[],
): Promise<EngineOutcome> {
  const texts: string[] = [];
  let question: EngineOutcome["question"];
  for (const intent of intents) {
    const outcome = await execute(intent, context, names);
    texts.push(outcome.text);
    if (outcome.question) question = outcome.question;
  }
  return { text: texts.join("\n"), ...(question ? { question } : {}) };
}
