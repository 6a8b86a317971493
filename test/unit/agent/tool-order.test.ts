import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAgentHarness, actor, TEST_USERS } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";
import { oracleModel } from "./oracle-model.js";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { startFakeLlmServer, type FakeLlmServer } from "../../fakes/fake-llm-server.js";
import type { OperationRecord } from "../../../src/agent/pipeline-api.js";

const alice = actor(TEST_USERS.alice);

/** "stop:web:ok" for one recorded operation. */
function label(record: OperationRecord): string {
  return `${record.operation}:${String(record.input.name)}:${record.outcome}`;
}

/** A harness whose model answers with `calls` in one step, and alice's `names` running. */
async function harnessWith(calls: { tool: string; input: Record<string, unknown> }[], names: readonly string[]) {
  const model = scriptedModel([{ tools: calls }, { text: "That did not work." }]);
  const harness = createAgentHarness({ model });
  for (const name of names) await (await harness.core.create(alice, { name })).wait();
  return { harness, model };
}

describe("several tool calls in one model step run in the order the model made them", () => {
  it('"stop web and delete dev": web is stopped first, then dev\'s destroy waits for a confirmation', async () => {
    const { harness, model } = await harnessWith(
      [
        { tool: "stop_container", input: { name: "web" } },
        { tool: "destroy_container", input: { name: "dev" } },
      ],
      ["web", "dev"],
    );
    const reply = await harness.pipeline.handle(alice, "stop web and delete dev");
    assert.equal(model.doGenerateCalls.length, 1);
    assert.deepEqual(
      reply.operations.map((record) => [record.operation, record.input.name, record.outcome]),
      [
        ["stop", "web", "ok"],
        ["destroy", "dev", "needs-confirmation"],
      ],
    );
    // The destroy still only plans: dev is there and waits for the person's own "yes".
    assert.equal(reply.confirmation?.plan.workload, "dev");
    assert.ok(harness.backend.containers.has("dev"));
    assert.equal((await harness.core.show(alice, "web")).live, "stopped");
    // The reply reads in the same order.
    const lines = reply.text.split("\n");
    assert.match(lines[0]!, /^web is stopped\.$/, reply.text);
    assert.ok(
      lines.slice(1).some((line) => /dev/.test(line)),
      reply.text,
    );
  });

  it('"stop api then delete it": the stop of api comes before its destroy plan', async () => {
    const { harness } = await harnessWith(
      [
        { tool: "stop_container", input: { name: "api" } },
        { tool: "destroy_container", input: { name: "api" } },
      ],
      ["api"],
    );
    const reply = await harness.pipeline.handle(alice, "stop api then delete it");
    assert.deepEqual(reply.operations.map(label), ["stop:api:ok", "destroy:api:needs-confirmation"]);
    assert.equal(reply.confirmation?.plan.workload, "api");
    assert.ok(harness.backend.containers.has("api"));
  });

  it("a failed first call does not hold up the next one, and the order is kept", async () => {
    const { harness } = await harnessWith(
      [
        { tool: "stop_container", input: { name: "ghost" } },
        { tool: "start_container", input: { name: "web" } },
      ],
      ["web"],
    );
    await harness.core.stop(alice, "web");
    const reply = await harness.pipeline.handle(alice, "stop ghost and start web");
    assert.deepEqual(reply.operations.map(label), ["stop:ghost:error", "start:web:ok"]);
    assert.equal((await harness.core.show(alice, "web")).live, "running");
  });

  it('"don\'t stop web, delete dev": the declined stop does nothing, the destroy is only planned', async () => {
    const { harness } = await harnessWith(
      [
        { tool: "stop_container", input: { name: "web" } },
        { tool: "destroy_container", input: { name: "dev" } },
      ],
      ["web", "dev"],
    );
    const reply = await harness.pipeline.handle(alice, "don't stop web, delete dev");
    assert.deepEqual(reply.operations.map(label), ["destroy:dev:needs-confirmation"]);
    assert.equal((await harness.core.show(alice, "web")).live, "running");
    assert.ok(harness.backend.containers.has("dev"));
  });

  it("the scripted eval model's two calls for one message keep the person's order", async () => {
    const model = oracleModel();
    const harness = createAgentHarness({ model });
    for (const name of ["web", "dev"]) await (await harness.core.create(alice, { name })).wait();
    const reply = await harness.pipeline.handle(alice, "stop web and delete dev");
    assert.deepEqual(
      reply.operations.map((record) => label(record).replace(/:[^:]*$/, "")),
      ["stop:web", "destroy:dev"],
    );
  });

  it("over the OpenAI-compatible protocol too: two tool calls in one response keep their order", async () => {
    const server: FakeLlmServer = await startFakeLlmServer([
      {
        toolCalls: [
          { name: "stop_container", arguments: { name: "web" } },
          { name: "destroy_container", arguments: { name: "dev" } },
        ],
      },
    ]);
    try {
      const model = createOpenAICompatible({ name: "fake", baseURL: server.url, apiKey: "k" }).chatModel("fake");
      const harness = createAgentHarness({ model });
      for (const name of ["web", "dev"]) await (await harness.core.create(alice, { name })).wait();
      const reply = await harness.pipeline.handle(alice, "stop web and delete dev");
      assert.equal(reply.engine, "llm");
      assert.deepEqual(reply.operations.map(label), ["stop:web:ok", "destroy:dev:needs-confirmation"]);
      assert.equal(server.pending, 0);
    } finally {
      await server.close();
    }
  });
});
