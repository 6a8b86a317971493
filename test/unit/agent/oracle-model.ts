/**
 * A scripted model for running the eval set through the LLM tool loop: a `MockLanguageModelV3`
 * that reads each request the way a model would (the person's last message, their containers
 * and the focus from the injected system prompt) and answers with the tool calls the offline
 * parser picks, all in one step, or with a short text when no tool applies. It keeps no
 * memory of its own: a multi-turn answer ("web" after "What should I call it?") passes only
 * because the pipeline remembers the question it asked (`src/agent/llm/question.ts`) and the
 * offline engine completes it. What it checks is the tool loop: tool choice, arguments and
 * their order, one model call per request, results rendered into the reply, and that nothing
 * destructive happens unasked.
 *
 * @module
 */
import { MockLanguageModelV3 } from "ai/test";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import type { Intent } from "../../../src/agent/intents/types.js";
import { FIXTURE_MODULE_NAMES } from "../../fakes/fixture-catalog.js";

type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type CallOptions = MockLanguageModelV3["doGenerateCalls"][number];

const TOOL_FOR: Readonly<Record<string, string>> = {
  start: "start_container",
  stop: "stop_container",
  restart: "restart_container",
  destroy: "destroy_container",
  restore: "restore_container",
  show: "show_container",
  logs: "container_logs",
};

const usage = {
  inputTokens: { total: 900, noCache: 900, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 20, text: 20, reasoning: 0 },
};

/** What the model read from one request. */
interface Reading {
  readonly text: string;
  readonly names: readonly string[];
  readonly focus?: string;
}

function read(options: CallOptions): Reading {
  const system = options.prompt.find((message) => message.role === "system");
  const systemText = system && typeof system.content === "string" ? system.content : "";
  const containers = /Their containers: (.*)/.exec(systemText)?.[1] ?? "none";
  const names =
    containers === "none" ? [] : [...containers.matchAll(/(?:^|\); )([a-z0-9-]+) \(/g)].map((match) => match[1]!);
  const focus = /Focus: (\S+)/.exec(systemText)?.[1];
  const user = [...options.prompt].reverse().find((message) => message.role === "user");
  const text = user === undefined ? "" : user.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
  return { text, names, ...(focus !== undefined ? { focus } : {}) };
}

function toolCalls(intent: Intent, reading: Reading): { toolName: string; input: Record<string, unknown> }[] | string {
  switch (intent.type) {
    case "several": {
      // Parts that need no tool ("don't delete web") add nothing; the rest are called together.
      const calls = intent.intents.map((inner) => toolCalls(inner, reading));
      const tools = mergeChangeCalls(calls.flatMap((call) => (typeof call === "string" ? [] : call)));
      return tools.length > 0
        ? tools
        : (calls.find((call): call is string => typeof call === "string") ?? "Nothing to do.");
    }
    case "create":
      if (intent.name === undefined) return "What should I call it? For example: dev-1";
      return [
        {
          toolName: "create_container",
          input: {
            name: intent.name,
            ...(intent.kind !== undefined ? { kind: intent.kind } : {}),
            modules: [...intent.modules],
            ...(intent.cpus !== undefined ? { cpus: intent.cpus } : {}),
            ...(intent.memory !== undefined ? { memory: intent.memory } : {}),
            ...(intent.disk !== undefined ? { disk: intent.disk } : {}),
            ...(intent.workspace === false ? { workspace: false } : {}),
            ...(intent.idleTimeout !== undefined ? { idle: intent.idleTimeout } : {}),
          },
        },
      ];
    case "list":
      return [{ toolName: "list_containers", input: {} }];
    case "storage":
      return [{ toolName: "storage_usage", input: {} }];
    case "start":
    case "stop":
    case "restart":
    case "destroy":
    case "restore":
    case "show":
    case "logs": {
      const target = intent.target;
      const name =
        target.kind === "named" || target.kind === "unknown"
          ? target.name
          : target.kind === "all"
            ? undefined
            : (reading.focus ?? (reading.names.length === 1 ? reading.names[0] : undefined));
      if (name === undefined) return `Which one? You have: ${reading.names.join(", ") || "none"}.`;
      return [{ toolName: TOOL_FOR[intent.type]!, input: { name } }];
    }
    case "change": {
      if (intent.negated) return "Okay, I won't change it.";
      const target = intent.target;
      const name =
        target.kind === "named" || target.kind === "unknown"
          ? target.name
          : (reading.focus ?? (reading.names.length === 1 ? reading.names[0] : undefined));
      if (name === undefined) return `Which one? You have: ${reading.names.join(", ") || "none"}.`;
      const input = {
        name,
        ...(intent.addModules.length > 0 ? { addModules: [...intent.addModules] } : {}),
        ...(intent.removeModules.length > 0 ? { removeModules: [...intent.removeModules] } : {}),
        ...(intent.cpus !== undefined ? { cpus: intent.cpus } : {}),
        ...(intent.memory !== undefined ? { memory: intent.memory } : {}),
        ...(intent.workspaceSize !== undefined ? { workspaceSize: intent.workspaceSize } : {}),
      };
      return [{ toolName: "change_workload", input }];
    }
    default:
      return "I can't do that here; nothing was done.";
  }
}

/** "add devtools to web and give it 2 CPUs": one `change_workload` call per workload, as its schema takes every field at once. */
function mergeChangeCalls(
  calls: readonly { toolName: string; input: Record<string, unknown> }[],
): { toolName: string; input: Record<string, unknown> }[] {
  const merged: { toolName: string; input: Record<string, unknown> }[] = [];
  for (const call of calls) {
    const same =
      call.toolName === "change_workload"
        ? merged.find((other) => other.toolName === "change_workload" && other.input.name === call.input.name)
        : undefined;
    if (same === undefined) {
      merged.push({ toolName: call.toolName, input: { ...call.input } });
      continue;
    }
    for (const [key, value] of Object.entries(call.input)) {
      const before = same.input[key];
      same.input[key] =
        Array.isArray(before) && Array.isArray(value) ? [...(before as unknown[]), ...(value as unknown[])] : value;
    }
  }
  return merged;
}

/** The scripted model; `doGenerateCalls` records every request. */
export function oracleModel(): MockLanguageModelV3 {
  let callNumber = 0;
  return new MockLanguageModelV3({
    doGenerate: async (options): Promise<GenerateResult> => {
      callNumber += 1;
      const reading = read(options);
      // After its tools ran the loop stops; a second call only comes after failed tools, and then it answers in words.
      const afterTools = options.prompt[options.prompt.length - 1]?.role === "tool";
      const intent = parseIntent(reading.text, { knownNames: reading.names, catalogNames: FIXTURE_MODULE_NAMES });
      const answer = afterTools ? "That did not work; see above." : toolCalls(intent, reading);
      if (typeof answer === "string") {
        return {
          content: [{ type: "text", text: answer }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      }
      return {
        content: answer.map((call, index) => ({
          type: "tool-call" as const,
          toolCallId: `call-${callNumber}-${index}`,
          toolName: call.toolName,
          input: JSON.stringify(call.input),
        })),
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
}
