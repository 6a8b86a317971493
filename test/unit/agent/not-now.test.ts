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
      assert.deepEqual(
        parseIntent(text, context),
        { type: "clarify", verb, target: { kind: "named", name: text.includes("dev") ? "dev" : "web" }, why: "later" },
        text,
      );
    }
  });

  void it("leaves requests for now alone", () => {
    assert.equal(parseIntent("stop web", context).type, "stop");
    assert.equal(parseIntent("restart dev now", context).type, "restart");
    assert.equal(parseIntent("destroy web", context).type, "destroy");
    assert.equal(parseIntent("start web at 10.231.0.2", context).type, "start", "an address is not a time");
    assert.equal(
      parseIntent("stop web, I'll be back later", context).type,
      "stop",
      "the later belongs to the person, not the stop",
    );
  });

  void it("hostile long messages built from the timing words still do nothing now", () => {
    // Near the 4,000-character cap: repeated condition and duration words must neither stop web
    // nor set a timeout nobody named (the patterns are anchored and linear; see bench/parse.bench.ts).
    assert.equal(parseIntent(`stop web ${"when it is ".repeat(380)}idle`, context).type, "clarify");
    assert.equal(parseIntent(`stop web after 2 hours ${"and then ".repeat(420)}`, context).type, "clarify");
    assert.notEqual(
      parseIntent(`set the idle timeout of ${"x".repeat(60)} to ${"1 ".repeat(1500)}`, context).type,
      "idle-timeout",
    );
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
    for (const [text, name, timeout] of cases)
      assert.deepEqual(
        parseIntent(text, context),
        { type: "idle-timeout", target: { kind: "named", name }, timeout },
        text,
      );
    assert.equal(
      parseIntent("create web2 and stop it after 2 hours idle", context).type,
      "create",
      "a create keeps its own timeout",
    );
    assert.equal(mustRunOffline("stop web after 2 hours idle", {} as never), true, "the model has no tool for it");
  });

  void it("reads 'never stop web when idle' and 'keep web running forever' as turning web's timeout off, and a plain negation as a decline", () => {
    const off = [
      ["never stop web when idle", "web"],
      ["don't stop dev when idle", "dev"],
      ["dont stop dev when it's idle please", "dev"],
      ["do not shut down web if nobody uses it", "web"],
      ["don’t ever stop web for idleness!", "web"],
      ["keep web running forever", "web"],
      ["always keep dev up 24/7", "dev"],
      ["never auto-stop web", "web"],
    ] as const;
    for (const [text, name] of off) {
      assert.deepEqual(
        parseIntent(text, context),
        { type: "idle-timeout", target: { kind: "named", name }, timeout: "off" },
        text,
      );
      assert.equal(
        mustRunOffline(text, {} as never),
        true,
        `${text}: the model has no tool for it and must not stop ${name}`,
      );
    }
    assert.deepEqual(parseIntent("never stop it when idle", context), {
      type: "idle-timeout",
      target: { kind: "reference" },
      timeout: "off",
    });
    // Never inverted: without idleness or "forever" a negation stays a decline, and a stop in the same message is its own.
    assert.deepEqual(parseIntent("don't stop web", context), {
      type: "declined",
      verb: "stop",
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseIntent("never stop web", context), {
      type: "declined",
      verb: "stop",
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseIntent("don't stop web when idle, stop dev", context), {
      type: "several",
      intents: [
        { type: "declined", verb: "stop", target: { kind: "named", name: "web" } },
        { type: "stop", target: { kind: "named", name: "dev" } },
      ],
    });
    assert.equal(parseIntent("keep web running", context).type, "keep", "without forever it answers a warning");
  });

  void it("turns web's timeout off through the pipeline, with a model configured, and web keeps running", async () => {
    const harness = createAgentHarness({
      model: scriptedModel([{ tool: "stop_container", input: { name: "web" } }], { cycle: true }),
    });
    await createReady(harness.core, alice, { name: "web" });
    const reply = await harness.pipeline.handle(alice, "never stop web when idle");
    assert.match(reply.text, /^web is never stopped for being idle now\./);
    const shown = workloadOf(await harness.core.show(alice, "web"));
    assert.equal(shown.live, "running", "the model's stop was never called");
    assert.equal(shown.idle?.timeoutMs, 0);
    assert.equal(shown.idle?.source, "workload");
    // The same model would stop web for a plain "don't stop web": its stop tool checks the person's words.
    const declined = await harness.pipeline.handle(alice, "don't stop web");
    assert.match(declined.text, /won't stop web/);
    assert.equal((await harness.core.show(alice, "web")).live, "running");
  });

  void it("a dry run says what the idle timeout would become and changes nothing", async () => {
    const harness = createAgentHarness({ dryRun: true });
    await createReady(harness.core, alice, { name: "web" });
    const before = workloadOf(await harness.core.show(alice, "web")).idle;
    const reply = await harness.pipeline.handle(alice, "never stop web when idle");
    assert.equal(reply.text, "Dry run: web would never be stopped for being idle. Nothing was changed.");
    assert.deepEqual(
      reply.operations.map((record) => record.operation),
      ["show"],
    );
    assert.deepEqual(workloadOf(await harness.core.show(alice, "web")).idle, before);
    const ghost = await harness.pipeline.handle(alice, "stop ghost after 2 hours idle");
    assert.match(ghost.text, /no container called "ghost"/);
  });

  void it("answers a later request without acting, and sets the timeout for an idle one while web keeps running", async () => {
    const harness = createAgentHarness();
    await createReady(harness.core, alice, { name: "web" });
    const later = await harness.pipeline.handle(alice, "stop web tonight");
    assert.match(later.text, /I can't stop web later or on a condition: I only act right away, so I did nothing\./);
    assert.match(later.text, /stop web after 2 hours idle/);
    assert.equal(workloadOf(await harness.core.show(alice, "web")).live, "running");

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
    const harness = createAgentHarness({
      model: scriptedModel([{ tool: "stop_container", input: { name: "web" } }], { cycle: true }),
    });
    await createReady(harness.core, alice, { name: "web" });
    const reply = await harness.pipeline.handle(alice, "could you stop web in 10 minutes");
    assert.match(reply.text, /I only act right away, so I did nothing/);
    assert.equal(workloadOf(await harness.core.show(alice, "web")).live, "running");
  });

  void it("holds the model to it for creates: a declined or later create makes nothing, whatever the model calls", async () => {
    const harness = createAgentHarness({
      model: scriptedModel([{ tool: "create_container", input: { name: "lab" } }], { cycle: true }),
    });
    for (const say of ["please don't make a container called lab", "create lab tomorrow", "don't create anything"]) {
      const reply = await harness.pipeline.handle(alice, say);
      assert.deepEqual(reply.operations, [], say);
      assert.match(reply.text, /won't create|only act right away/, say);
    }
    assert.deepEqual((await harness.core.list(alice)).workloads, []);
    // "don't create web, make lab": the create that was asked for plainly still happens.
    const asked = await harness.pipeline.handle(alice, "don't create web, make lab");
    assert.deepEqual(
      asked.operations.map((record) => `${record.operation}:${String(record.input.name)}`),
      ["create:lab"],
    );
  });
});
