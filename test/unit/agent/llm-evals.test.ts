import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CONVERSATIONS } from "../../../src/agent/evals/conversations.js";
import { runEvals } from "../../../src/agent/evals/harness.js";
import { summarise } from "../../../src/agent/evals/report.js";
import { createEvalCore } from "../../fakes/core-harness.js";
import { createAgentHarness, actor, testConfig, TEST_USERS } from "./helpers.js";
import { oracleModel } from "./oracle-model.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";

/**
 * The lowest accuracy accepted for the eval set through the tool loop with the scripted
 * model: every conversation passes since 2026-12-02 (289 of 289). Before, answers to the
 * model's own question ("What should I call it?" → "web") failed, because only the offline
 * engine remembered its questions, and "stop web and delete dev" planned the destroy first.
 * As offline, the margin is for honest additions of phrasings, not for regressions of
 * destroys: a conversation that asks for one (its order, its plan, its confirmation) must pass.
 */
const MIN_TOOL_LOOP_ACCURACY = 0.97;

describe("the eval set through the LLM tool loop (scripted model)", () => {
  it("no destructive plan nobody asked for, accuracy above the threshold, at most one model call per message", async () => {
    const model = oracleModel();
    const results = await runEvals({
      conversations: CONVERSATIONS,
      makeEnvironment: (conversation) => createEvalCore(conversation),
      config: testConfig(),
      model,
    });
    const summary = summarise(results);
    const failed = results
      .filter((result) => !result.passed)
      .map((result) => `${result.id}: ${result.failures.join("; ")}`);
    assert.equal(summary.unrequestedDestructive, 0, failed.join("\n"));
    const asksForDestroy = new Set(
      CONVERSATIONS.filter((conversation) =>
        conversation.turns.some((turn) => turn.operations?.some((operation) => operation.startsWith("destroy"))),
      ).map((conversation) => conversation.id),
    );
    assert.ok(asksForDestroy.has("destroy-stop-and-delete") && asksForDestroy.has("second-stop-then-delete"));
    assert.deepEqual(
      results.filter((result) => !result.passed && asksForDestroy.has(result.id)).map((result) => result.id),
      [],
      failed.join("\n"),
    );
    assert.ok(
      summary.accuracy >= MIN_TOOL_LOOP_ACCURACY,
      `accuracy ${summary.accuracy.toFixed(3)}:\n${failed.join("\n")}`,
    );
    const messages = CONVERSATIONS.reduce((sum, conversation) => sum + conversation.turns.length, 0);
    assert.ok(
      model.doGenerateCalls.length <= messages,
      `${model.doGenerateCalls.length} model calls for ${messages} messages`,
    );
    assert.equal(
      results.reduce((sum, result) => sum + result.fallbacks, 0),
      0,
      "the model path answered, not the fallback",
    );
  });

  it("chooses the tool the request names, in one call, with the reply rendered from the result", async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ["spin up a dev container called api with git and fish", "create", { name: "api", modules: ["git", "fish"] }],
      ["is dev running?", "show", { name: "dev" }],
      ["don't delete web, just stop it", "stop", { name: "web" }],
      ["show logs for dev", "logs", { name: "dev" }],
      ["how much space is left?", "storage", {}],
    ];
    for (const [say, operation, input] of cases) {
      const model = oracleModel();
      const harness = createAgentHarness({ model });
      for (const name of ["web", "dev"]) await (await harness.core.create(actor(TEST_USERS.alice), { name })).wait();
      const reply = await harness.pipeline.handle(actor(TEST_USERS.alice), say);
      assert.equal(model.doGenerateCalls.length, 1, say);
      assert.equal(reply.engine, "llm", say);
      assert.equal(reply.confirmation, undefined, say);
      assert.deepEqual(
        reply.operations.map((record) => record.operation),
        [operation],
        say,
      );
      const recorded = reply.operations[0]!;
      if (typeof input.name === "string") assert.equal(recorded.input.name, input.name, say);
      if (Array.isArray(input.modules)) assert.deepEqual(recorded.input.modules, input.modules, say);
      assert.ok(reply.text.length > 0 && !/see above/.test(reply.text), `${say}: ${reply.text}`);
    }
  });

  it("without a VM runtime, a VM request through the tool loop reaches no core call and creates nothing", async () => {
    const model = oracleModel();
    const harness = createAgentHarness({ model });
    const reply = await harness.pipeline.handle(actor(TEST_USERS.alice), "make me a vm called lab with 2 cpus");
    assert.deepEqual(reply.operations, []);
    assert.deepEqual((await harness.core.list(actor(TEST_USERS.alice))).workloads, []);
  });

  it("with a VM runtime, the create tool makes a VM with the CPUs, memory and disk asked for", async () => {
    const model = oracleModel();
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [] });
    const harness = createAgentHarness({ model, core: { extraRuntimes: [vms] } });
    const reply = await harness.pipeline.handle(
      actor(TEST_USERS.alice),
      "make me a vm called lab with 2 cpus, 4G and a 3G disk",
    );
    assert.deepEqual(
      reply.operations.map((record) => [record.operation, record.input.kind, record.outcome]),
      [["create", "vm", "ok"]],
    );
    assert.match(reply.text, /Creating the VM lab \(2 CPUs, 4G memory, a 3G disk\)/);
    await reply.job?.wait();
    const [lab] = (await harness.core.list(actor(TEST_USERS.alice))).workloads;
    assert.equal(lab?.spec.kind, "vm");
    assert.deepEqual(lab?.spec.resources, { cpus: 2, memoryBytes: 4 * 1024 ** 3, pids: 0 });
    assert.equal((lab?.spec as { diskBytes?: number }).diskBytes, 3 * 1024 ** 3);
    assert.ok(vms.containers.has("lab"));
  });

  it("for a user whose default kind is VM, a create that names no kind says it is making a VM (tool loop and offline engine)", async () => {
    const admin = actor(TEST_USERS.admin);
    for (const model of [oracleModel(), undefined]) {
      const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [] });
      const harness = createAgentHarness({ ...(model ? { model } : {}), core: { extraRuntimes: [vms] } });
      await harness.core.whoami(actor(TEST_USERS.alice));
      await harness.core.setUserLimits(admin, TEST_USERS.alice, { defaultKind: "vm" });
      const reply = await harness.pipeline.handle(actor(TEST_USERS.alice), "create lab with 2 cpus");
      assert.deepEqual(
        reply.operations.map((record) => record.operation),
        ["create"],
        reply.text,
      );
      assert.match(reply.text, /Creating the VM lab/, reply.text);
      assert.doesNotMatch(reply.text, /container/i, reply.text);
      await reply.job?.wait();
      assert.equal((await harness.core.list(actor(TEST_USERS.alice))).workloads[0]?.spec.kind, "vm");
    }
  });
});
