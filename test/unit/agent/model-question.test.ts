import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LanguageModel } from "ai";
import { createAgentHarness, actor, TEST_USERS, settle } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";
import { oracleModel } from "./oracle-model.js";

const alice = actor(TEST_USERS.alice);

async function harnessWith(model: LanguageModel, names: readonly string[] = []) {
  const harness = createAgentHarness({ model });
  for (const name of names) await (await harness.core.create(alice, { name })).wait();
  return harness;
}

async function aliceNames(harness: Awaited<ReturnType<typeof harnessWith>>): Promise<string[]> {
  return (await harness.core.list(alice)).workloads.map((workload) => workload.name).sort();
}

describe("an answer to the model's own question is followed up like the offline engine's", () => {
  it('"create a container with git" → the model asks for a name → "web" creates web with git, without a second model call', async () => {
    const model = oracleModel();
    const harness = await harnessWith(model);
    const asked = await harness.pipeline.handle(alice, "create a container with git");
    assert.equal(asked.engine, "llm");
    assert.deepEqual(asked.operations, [], "a question never acts");
    assert.match(asked.text, /What should I call it\?/);
    const answer = await harness.pipeline.handle(alice, "web");
    assert.equal(model.doGenerateCalls.length, 1);
    assert.deepEqual(
      answer.operations.map((record) => `${record.operation}:${String(record.input.name)}`),
      ["create:web"],
    );
    await settle(answer);
    const web = await harness.core.show(alice, "web");
    assert.ok("spec" in web && web.spec.modules.includes("git"), "web has git");
  });

  it('"yes" accepts the free name the model offered', async () => {
    const harness = await harnessWith(oracleModel());
    await harness.pipeline.handle(alice, "I need a new dev container");
    await settle(await harness.pipeline.handle(alice, "yes"));
    assert.deepEqual(await aliceNames(harness), ["dev-1"]);
  });

  it('"stop" with two containers → the model asks which → "api" stops api and nothing else', async () => {
    const harness = await harnessWith(oracleModel(), ["web", "api"]);
    const asked = await harness.pipeline.handle(alice, "stop");
    assert.deepEqual(asked.operations, []);
    const answer = await harness.pipeline.handle(alice, "api");
    assert.deepEqual(
      answer.operations.map((record) => `${record.operation}:${String(record.input.name)}`),
      ["stop:api"],
    );
    assert.equal((await harness.core.show(alice, "api")).live, "stopped");
    assert.equal((await harness.core.show(alice, "web")).live, "running");
  });

  it("a destroy's target given as an answer still only plans and waits for a confirmation", async () => {
    const model = scriptedModel([{ text: "Which one should I delete, web or api?" }]);
    const harness = await harnessWith(model, ["web", "api"]);
    await harness.pipeline.handle(alice, "delete");
    const answer = await harness.pipeline.handle(alice, "web");
    assert.deepEqual(
      answer.operations.map((record) => [record.operation, record.outcome]),
      [["destroy", "needs-confirmation"]],
    );
    assert.equal(answer.confirmation?.plan.workload, "web");
    assert.deepEqual(await aliceNames(harness), ["api", "web"]);
  });

  it("a name the model offered that is not the verified free one is not accepted by a bare yes", async () => {
    // dev-1 is free, but the model offered box-1: "yes" goes back to the model, nothing is created offline.
    const model = scriptedModel([{ text: "What should I call it? For example: box-1" }, { text: "Okay." }]);
    const harness = await harnessWith(model);
    await harness.pipeline.handle(alice, "create a container with git");
    const yes = await harness.pipeline.handle(alice, "yes");
    assert.equal(yes.engine, "llm");
    assert.deepEqual(yes.operations, []);
    assert.deepEqual(await aliceNames(harness), []);
  });

  it('"don\'t create a container": a question of the model\'s that offers no name opens nothing, so "yes" creates nothing', async () => {
    const model = scriptedModel([{ text: "Okay, I won't. Anything else?" }, { text: "Okay." }]);
    const harness = await harnessWith(model);
    await harness.pipeline.handle(alice, "don't create a container");
    const yes = await harness.pipeline.handle(alice, "yes");
    assert.equal(yes.engine, "llm");
    assert.deepEqual(yes.operations, []);
    assert.deepEqual(await aliceNames(harness), []);
  });

  it("a model question that names one container is not a which-one question: the answer goes back to the model", async () => {
    const model = scriptedModel([{ text: "Do you mean web?" }, { text: "Okay." }]);
    const harness = await harnessWith(model, ["web", "api"]);
    await harness.pipeline.handle(alice, "stop");
    const answer = await harness.pipeline.handle(alice, "api");
    assert.equal(answer.engine, "llm");
    assert.deepEqual(answer.operations, []);
    assert.equal((await harness.core.show(alice, "api")).live, "running");
  });

  it("a question about a request that named its container opens nothing", async () => {
    const model = scriptedModel([{ text: "Stop web or api? Both are running." }, { text: "Okay." }]);
    const harness = await harnessWith(model, ["web", "api"]);
    await harness.pipeline.handle(alice, "should I stop web?");
    const answer = await harness.pipeline.handle(alice, "api");
    assert.equal(answer.engine, "llm");
    assert.deepEqual(answer.operations, []);
    assert.equal((await harness.core.show(alice, "api")).live, "running");
  });
});
