import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CONVERSATIONS } from "../../../src/agent/evals/conversations.js";
import { runEvals } from "../../../src/agent/evals/harness.js";
import { createTestCore } from "../../fakes/core-harness.js";
import { testConfig } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";

describe("evals", () => {
  it("has at least 30 conversations with unique ids", () => {
    assert.ok(CONVERSATIONS.length >= 30);
    assert.equal(new Set(CONVERSATIONS.map((conversation) => conversation.id)).size, CONVERSATIONS.length);
  });

  it("all pass against the offline engine", async () => {
    const results = await runEvals({ conversations: CONVERSATIONS, makeEnvironment: () => createTestCore(), config: testConfig() });
    const failed = results.filter((result) => !result.passed);
    assert.deepEqual(failed.map((result) => `${result.id}: ${result.failures.join("; ")}`), []);
  });

  it("detects a wrong answer (the checker is not vacuous)", async () => {
    // A model that always lists instead of creating fails the create conversation.
    const results = await runEvals({
      conversations: CONVERSATIONS.filter((conversation) => conversation.id === "create-basic"),
      makeEnvironment: () => createTestCore(),
      config: testConfig({ llm: { maxSteps: 2 } }),
      model: scriptedModel([{ tool: "list_containers", input: {} }, { text: "Here you go." }]),
    });
    assert.equal(results[0]?.passed, false);
    assert.equal(results[0]?.modelCalls, 2);
    assert.ok((results[0]?.inputTokens ?? 0) > 0, "tokens are counted");
  });
});
