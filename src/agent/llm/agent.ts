/**
 * The LLM agent: one `generateText` tool loop per message with the per-message tools, a
 * step limit, an early stop once tools have answered (one model call per everyday request), a timeout, retries (see `retry.ts`) and telemetry. It returns the reply text,
 * the response messages for memory and, when the model asked for a missing name or target, the
 * open question (`question.ts`); the pipeline falls back to the offline engine when this throws.
 *
 * @module
 */
import { generateText, stepCountIs, type LanguageModel, type ModelMessage } from "ai";
import type { ChatContext, EngineOutcome } from "../chat-context.js";
import { createTools } from "../tools/index.js";
import { buildSystemPrompt } from "./prompt.js";
import { summariseTurn } from "../summary.js";
import { compactHistory } from "./history.js";
import { questionAsked } from "./question.js";

/** How many recent stored messages the model sees, compacted (see `history.ts`). */
export const MODEL_HISTORY_WINDOW = 8;

/**
 * Ends the tool loop after the first step whose tools did something: their results are
 * rendered into the reply (`Turn.say`), so an everyday request costs one model call instead
 * of a second call that only puts the result into words. When every call in the step failed
 * (a wrong name, say) the model gets another step to correct itself.
 */
export function toolsAnswered({
  steps,
}: {
  readonly steps: readonly {
    readonly toolCalls: readonly unknown[];
    readonly toolResults: readonly { readonly output: unknown }[];
  }[];
}): boolean {
  const last = steps[steps.length - 1];
  if (last === undefined || last.toolCalls.length === 0) return false;
  return last.toolResults.some((result) => (result.output as { ok?: unknown } | null)?.ok !== false);
}

/** Settings from `config.llm`. */
export interface LlmAgentOptions {
  readonly model: LanguageModel;
  readonly maxSteps: number;
  readonly timeoutMs: number;
}

/** The agent's answer for one message. */
export interface LlmOutcome extends EngineOutcome {
  /** Assistant and tool messages to append to memory. */
  readonly messages: readonly ModelMessage[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly steps: number };
}

/** Runs the model on `text` with the conversation so far. Throws when the model cannot be reached. */
export async function runLlm(text: string, context: ChatContext, options: LlmAgentOptions): Promise<LlmOutcome> {
  const workloads = await context.ownWorkloads();
  const system = buildSystemPrompt({
    workloads,
    modules: context.core.modules(),
    ...(context.state.focus !== undefined ? { focus: context.state.focus } : {}),
    dryRun: context.dryRun,
  });
  const result = await generateText({
    model: options.model,
    system,
    messages: [...compactHistory(context.state.messages, MODEL_HISTORY_WINDOW), { role: "user", content: text }],
    tools: createTools(context),
    stopWhen: [stepCountIs(options.maxSteps), toolsAnswered],
    // Retries happen per model call in `retry.ts` (the model passed in is wrapped), not here.
    maxRetries: 0,
    maxOutputTokens: 1024,
    abortSignal: AbortSignal.timeout(options.timeoutMs),
    experimental_telemetry: { isEnabled: true, functionId: "voxnix.chat", recordInputs: false, recordOutputs: false },
  });
  // Stopped right after tools ran: the reply is their rendered results, not a model's retelling.
  const lastStep = result.steps[result.steps.length - 1];
  const rendered =
    lastStep !== undefined && lastStep.toolCalls.length > 0 && context.turn.said.length > 0
      ? context.turn.said.join("\n")
      : undefined;
  const modelText = result.text.trim();
  const reply = rendered ?? (modelText.length > 0 ? modelText : summariseTurn(context.turn));
  // The model asked instead of acting: remembered, so the answer is followed up like the offline engine's.
  const question =
    context.turn.operations.length === 0 && rendered === undefined && modelText.length > 0
      ? await questionAsked(text, modelText, context)
      : undefined;
  return {
    text: reply,
    ...(question !== undefined ? { question } : {}),
    // Memory keeps the tool turn and the reply the person saw.
    messages:
      rendered === undefined
        ? result.response.messages
        : [...result.response.messages, { role: "assistant", content: reply }],
    usage: {
      inputTokens: result.totalUsage.inputTokens ?? 0,
      outputTokens: result.totalUsage.outputTokens ?? 0,
      steps: result.steps.length,
    },
  };
}
