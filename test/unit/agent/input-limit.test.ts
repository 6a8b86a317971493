import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_MESSAGE_CHARS } from "../../../src/agent/input-limit.js";
import { createAgentHarness, actor, settle, TEST_USERS } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";

const alice = actor(TEST_USERS.alice);

describe("chat input size cap", () => {
  it("answers a message over 4,000 characters clearly, before any parsing, and changes nothing", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web"));
    const plan = await harness.pipeline.handle(alice, "destroy web");
    assert.ok(plan.confirmation);
    const giant = "stop web and destroy it ".repeat(200);
    assert.ok(giant.length > MAX_MESSAGE_CHARS);
    const reply = await harness.pipeline.handle(alice, giant);
    assert.match(reply.text, /at most 4,000/);
    assert.match(reply.text, /Nothing was done/);
    assert.deepEqual(reply.operations, []);
    assert.equal(reply.confirmation, undefined);
    assert.equal(harness.backend.containers.get("web")?.state, "running");
    // Memory is untouched: the pending plan from before is still the one "yes" answers.
    const yes = await harness.pipeline.handle(alice, "yes");
    assert.deepEqual(
      yes.operations.map((operation) => operation.operation),
      ["confirm"],
    );
    await settle(yes);
  });

  it("never reaches the model either, and a message of exactly the cap is read", async () => {
    const model = scriptedModel([{ tool: "list_containers", input: {} }]);
    const harness = createAgentHarness({ model });
    await harness.pipeline.handle(alice, "x".repeat(MAX_MESSAGE_CHARS + 1));
    assert.equal(model.doGenerateCalls.length, 0);
    const atCap = await harness.pipeline.handle(alice, `list${" ".repeat(MAX_MESSAGE_CHARS - 4)}`);
    assert.equal(model.doGenerateCalls.length, 1);
    assert.deepEqual(
      atCap.operations.map((operation) => operation.operation),
      ["list"],
    );
  });
});
