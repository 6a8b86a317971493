/**
 * Scripted `MockLanguageModelV3` (ai/test) for agent tests and benchmarks: each call answers
 * with the next step, a tool call or text, with V3 finish reasons and usage.
 *
 * @module
 */
import { MockLanguageModelV3 } from "ai/test";

type LanguageModelV3GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;

/** One tool call in a model answer. */
export interface MockToolCall {
  readonly tool: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** One model answer: one tool call, several in one step (in this order), text, or a failure. */
export type MockStep =
  MockToolCall | { readonly tools: readonly MockToolCall[] } | { readonly text: string } | { readonly fail: Error };

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

/** A model answering `steps` in order (cycling when `cycle` is set). */
export function scriptedModel(steps: readonly MockStep[], options: { cycle?: boolean } = {}): MockLanguageModelV3 {
  let index = 0;
  return new MockLanguageModelV3({
    doGenerate: async (): Promise<LanguageModelV3GenerateResult> => {
      const step = steps[options.cycle ? index % steps.length : index];
      index += 1;
      if (step === undefined) throw new Error("the scripted model has no step left");
      if ("fail" in step) throw step.fail;
      if ("tool" in step || "tools" in step) {
        const calls = "tools" in step ? step.tools : [step];
        return {
          content: calls.map((call, position) => ({
            type: "tool-call" as const,
            toolCallId: `call-${index}-${position}`,
            toolName: call.tool,
            input: JSON.stringify(call.input),
          })),
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage: usage(100, 10),
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: step.text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: usage(120, 8),
        warnings: [],
      };
    },
  });
}
