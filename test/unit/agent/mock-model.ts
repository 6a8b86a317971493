/**
 * Scripted `MockLanguageModelV3` (ai/test) for agent tests and benchmarks: each call answers
 * with the next step, a tool call or text, with V3 finish reasons and usage.
 *
 * @module
 */
import { MockLanguageModelV3 } from "ai/test";

type LanguageModelV3GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;

/** One model answer. */
export type MockStep =
  | { readonly tool: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly text: string }
  | { readonly fail: Error };

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
      if ("tool" in step) {
        return {
          content: [
            { type: "tool-call", toolCallId: `call-${index}`, toolName: step.tool, input: JSON.stringify(step.input) },
          ],
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
