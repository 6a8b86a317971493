/**
 * The LLM agent: one `generateText` tool loop per message with the per-message tools, a
 * step limit, a timeout, retries (see `retry.ts`) and telemetry. It returns the reply text
 * and the response messages for memory; the pipeline falls back to the offline engine when
 * this throws.
 *
 * @module
 */
import { generateText, stepCountIs, type LanguageModel, type ModelMessage } from "ai";
import type { ChatContext, EngineOutcome } from "../chat-context.js";
import { createTools } from "../tools/index.js";
import { buildSystemPrompt } from "./prompt.js";
import { summariseTurn } from "../summary.js";
import { compactHistory } from "./history.js";

/** How many recent stored messages the model sees, compacted (see `history.ts`). */
export const MODEL_HISTORY_WINDOW = 8;

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
    stopWhen: stepCountIs(options.maxSteps),
    // Retries happen per model call in `retry.ts` (the model passed in is wrapped), not here.
    maxRetries: 0,
    maxOutputTokens: 1024,
    abortSignal: AbortSignal.timeout(options.timeoutMs),
    experimental_telemetry: { isEnabled: true, functionId: "voxnix.chat", recordInputs: false, recordOutputs: false },
  });
  const reply = result.text.trim();
  return {
    text: reply.length > 0 ? reply : summariseTurn(context.turn),
    messages: result.response.messages,
    usage: {
      inputTokens: result.totalUsage.inputTokens ?? 0,
      outputTokens: result.totalUsage.outputTokens ?? 0,
      steps: result.steps.length,
    },
  };
}
