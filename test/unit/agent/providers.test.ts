import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLanguageModel } from "../../../src/agent/llm/providers.js";
import { startFakeLlmServer, type FakeLlmServer } from "../../fakes/fake-llm-server.js";
import { createAgentHarness, actor, testConfig, TEST_USERS } from "./helpers.js";

const alice = actor(TEST_USERS.alice);
let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
});

describe("providers chosen by configuration", () => {
  it("provider none means no model: the offline engine answers with no keys", async () => {
    assert.equal(createLanguageModel(testConfig().llm, undefined), undefined);
    const harness = createAgentHarness();
    const reply = await harness.pipeline.handle(alice, "what do I have");
    assert.equal(reply.engine, "offline");
    assert.equal(reply.notice, undefined);
  });

  for (const provider of ["openai", "openai-compatible"] as const) {
    it(`${provider} talks Chat Completions to the configured base URL with the API key`, async () => {
      const start = server.requests.length;
      server.enqueue({ toolCalls: [{ name: "list_containers", arguments: {} }] });
      const harness = createAgentHarness({
        config: { llm: { provider, baseUrl: server.url, model: "test-model" } },
        llmApiKey: "sk-test",
      });
      const reply = await harness.pipeline.handle(alice, "what do I have");
      assert.equal(reply.engine, "llm");
      assert.match(reply.text, /You have no containers yet/);
      assert.equal(server.requests.length - start, 1);
      assert.equal(server.pending, 0);
      assert.equal(server.requests[start]!.body.model, "test-model");
    });
  }

  it("anthropic builds a Messages model with the configured id", () => {
    const model = createLanguageModel(testConfig({ llm: { provider: "anthropic", model: "claude-test" } }).llm, "key");
    assert.ok(model && typeof model !== "string");
    assert.equal(model.modelId, "claude-test");
    assert.match(model.provider, /anthropic/);
  });
});
