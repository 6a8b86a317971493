/**
 * Requests for later or on a condition are never done now. "stop web tonight", "restart web
 * in 10 minutes", "destroy web next week": voxnix runs nothing later, so the answer says so and
 * nothing happens (stopping web now would invert what was asked). "stop web after 2 hours
 * idle" is what it can do: it sets web's inactivity timeout, and web keeps running. The model
 * is held to the same reading: its stop tool refuses when the person's words say later.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import { mustRunOffline } from "../../../src/agent/routing.js";
import { actor, createAgentHarness, TEST_USERS } from "./helpers.js";
import { createReady } from "../core/helpers.js";
import { scriptedModel } from "./mock-model.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const context = { knownNames: ["web", "dev"], catalogNames: ["git", "fish"] };

void describe("requests for later", () => {
  void it("reads a timing word on a lifecycle verb as a question back, for every verb", () => {
    const cases: [string, string][] = [
      ["stop web tonight", "stop"],
      ["stop web in 10 minutes", "stop"],
      ["stop web after 2 hours", "stop"],
      ["stop web when it is idle", "stop"],
      ["restart web tomorrow", "restart"],
      ["start dev at 9am", "start"],
      ["destroy web next week", "destroy"],
      ["delete dev at 6pm", "destroy"],
    ];
    for (const [text, verb] of cases) {
      assert.deepEqual(parseIntent(text, context), { type: "clarify", verb, target: { kind: "named", name: text.includes("dev") ? "dev" : "web" }, why: "later" }, text);
    }
  });

  void it("leaves requests for now alone", () => {
    assert.equal(parseIntent("stop web", context).type, "stop");
    assert.equal(parseIntent("restart dev now", context).type, "restart");
    assert.equal(parseIntent("destroy web", context).type, "destroy");
    assert.equal(parseIntent("start web at 10.231.0.2", context).type, "start", "an address is not a time");
    assert.equal(parseIntent("stop web, I'll be back later", context).type, "stop", "the later belongs to the person, not the stop");
  });

  void it("hostile long messages built from the timing words still do nothing now", () => {
    // Near the 4,000-character cap: repeated condition and duration words must neither stop web
    // nor set a timeout nobody named (the patterns are anchored and linear; see bench/parse.bench.ts).
    assert.equal(parseIntent(`stop web ${"when it is ".repeat(380)}idle`, context).type, "clarify");
    assert.equal(parseIntent(`stop web after 2 hours ${"and then ".repeat(420)}`, context).type, "clarify");
    assert.notEqual(parseIntent(`set the idle timeout of ${"x".repeat(60)} to ${"1 ".repeat(1500)}`, context).type, "idle-timeout");
  });

  void it("reads an idle condition with a duration as web's idle timeout, and only then", () => {
    const cases: [string, string, string][] = [
      ["stop web after 2 hours idle", "web", "2h"],
      ["stop web when idle for 30 minutes", "web", "30m"],
      ["shut down dev when it's idle for half an hour", "dev", "30m"],
      ["please stop dev if nobody uses it for 3 hours", "dev", "3h"],
      ["set web's idle timeout to 2h", "web", "2h"],
      ["set the idle timeout of web to 45 minutes", "web", "45m"],
      ["turn off the idle timeout for web", "web", "off"],
    ];
    for (const [text, name, timeout] of cases) assert.deepEqual(parseIntent(text, context), { type: "idle-timeout", target: { kind: "named", name }, timeout }, text);
    assert.equal(parseIntent("create web2 and stop it after 2 hours idle", context).type, "create", "a create keeps its own timeout");
    assert.equal(mustRunOffline("stop web after 2 hours idle", {} as never), true, "the model has no tool for it");
  });

  void it("answers a later request without acting, and sets the timeout for an idle one while web keeps running", async () => {
    const harness = createAgentHarness();
    await createReady(harness.core, alice, { name: "web" });
    const later = await harness.pipeline.handle(alice, "stop web tonight");
    assert.match(later.text, /I can't stop web later or on a condition: I only act right away, so I did nothing\./);
    assert.match(later.text, /stop web after 2 hours idle/);
    assert.equal((workloadOf(await harness.core.show(alice, "web"))).live, "running");

    const destroy = await harness.pipeline.handle(alice, "destroy web next week");
    assert.match(destroy.text, /did nothing/);
    assert.doesNotMatch(destroy.text, /confirm|yes/i, "no destroy plan was made");

    const idle = await harness.pipeline.handle(alice, "stop web after 2 hours idle");
    assert.match(idle.text, /^web now stops after 2h without use\./);
    const shown = workloadOf(await harness.core.show(alice, "web"));
    assert.equal(shown.live, "running", "web was not stopped");
    assert.equal(shown.idle?.timeoutMs, 2 * 3600_000);
    assert.equal(shown.idle?.source, "workload");
  });

  void it("holds the model to it: its stop tool refuses when the words say later", async () => {
    const harness = createAgentHarness({ model: scriptedModel([{ tool: "stop_container", input: { name: "web" } }], { cycle: true }) });
    await createReady(harness.core, alice, { name: "web" });
    const reply = await harness.pipeline.handle(alice, "could you stop web in 10 minutes");
    assert.match(reply.text, /I only act right away, so I did nothing/);
    assert.equal((workloadOf(await harness.core.show(alice, "web"))).live, "running");
  });
});
