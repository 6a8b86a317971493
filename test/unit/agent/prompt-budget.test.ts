import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { SYSTEM_RULES } from "../../../src/agent/llm/prompt.js";
import { startFakeLlmServer, type FakeLlmServer } from "../../fakes/fake-llm-server.js";
import { createAgentHarness, actor, TEST_USERS } from "./helpers.js";

/** The fixed prompt (system rules plus every tool schema as sent) may take at most this many tokens. */
const FIXED_PROMPT_TOKEN_BUDGET = 1500;

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});

/** Tokens of the fixed part of one real request: the rules and the `tools` array as the provider client sent them. */
async function measureFixedPrompt(): Promise<{ rules: number; tools: number; toolCount: number; system: string }> {
  const model = createOpenAICompatible({
    name: "fake",
    baseURL: server.url,
    apiKey: "test-key",
    includeUsage: true,
  }).chatModel("fake-model");
  const harness = createAgentHarness({ model });
  const start = server.requests.length;
  server.enqueue({ toolCalls: [{ name: "list_containers", arguments: {} }] });
  await harness.pipeline.handle(actor(TEST_USERS.alice), "what do I have?");
  const body = server.requests[start]!.body;
  return {
    rules: encode(SYSTEM_RULES).length,
    tools: encode(JSON.stringify(body.tools)).length,
    toolCount: body.tools?.length ?? 0,
    system: String(body.messages[0]?.content),
  };
}

describe("prompt budget (o200k_base tokens counted with gpt-tokenizer, not characters / 4)", () => {
  it("counts real tokens", () => {
    assert.equal(encode("hello world").length, 2);
    assert.ok(encode(SYSTEM_RULES).length > 100, "the rules are not empty");
  });

  it(`the fixed prompt plus the tool schemas a real client sends stay within ${FIXED_PROMPT_TOKEN_BUDGET} tokens`, async () => {
    const measured = await measureFixedPrompt();
    assert.ok(measured.system.startsWith(SYSTEM_RULES), "the request carries the measured rules");
    assert.equal(measured.toolCount, 11);
    const total = measured.rules + measured.tools;
    console.log(`fixed prompt: ${total} o200k tokens (rules ${measured.rules}, tool schemas ${measured.tools})`);
    assert.ok(
      total <= FIXED_PROMPT_TOKEN_BUDGET,
      `fixed prompt is ${total} tokens (rules ${measured.rules}, tools ${measured.tools})`,
    );
  });
});
