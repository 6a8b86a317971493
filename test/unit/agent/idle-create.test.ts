/**
 * An idle timeout asked for in the same message as a create: "… and stop it after 2 hours
 * idle". The phrase belongs to the create, never becomes a second request (a stop), needs an
 * idle word ("stop it after 2 hours" is not an idle timeout), and a message that is not a
 * create is read exactly as before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findIdlePhrase } from "../../../src/agent/intents/idle-phrase.js";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import type { Intent } from "../../../src/agent/intents/types.js";
import { FIXTURE_MODULE_NAMES } from "../../fakes/fixture-catalog.js";

const parse = (text: string): Intent =>
  parseIntent(text, { knownNames: ["web", "dev"], catalogNames: FIXTURE_MODULE_NAMES, self: "telegram:42" });

void describe("idle timeout at create, in chat", () => {
  const cases: [string, string, string][] = [
    ["create a container called night with git and stop it after 2 hours idle", "night", "2h"],
    ["make me a box named owl, shut it down when it's idle for 30 minutes please", "owl", "30m"],
    ["make me a box named owl, shut it down when it’s idle for half an hour", "owl", "30m"],
    ["spin up a sandbox called lab2 with an idle timeout of 1h", "lab2", "1h"],
    ["create lab3 with git, 2h idle timeout", "lab3", "2h"],
    ["create api3 and turn it off after 45 min without activity", "api3", "45m"],
    ["create api4 and stop it if nobody uses it for 3 hours", "api4", "3h"],
    ["create api5 and power it off after 1.5 hours of inactivity", "api5", "90m"],
    ["create api6 and stop it after a day unused", "api6", "1d"],
    ["new container named keeper with fish, and never stop it when idle", "keeper", "off"],
    ["create keeper2 and don't stop it for idleness", "keeper2", "off"],
    ["create keeper3 with no idle timeout", "keeper3", "off"],
  ];
  for (const [text, name, timeout] of cases) {
    void it(`reads "${text}"`, () => {
      const intent = parse(text);
      assert.equal(intent.type, "create", JSON.stringify(intent));
      if (intent.type !== "create") return;
      assert.equal(intent.name, name);
      assert.equal(intent.idleTimeout, timeout);
    });
  }

  void it("keeps the rest of the create as it was", () => {
    const intent = parse("create a container called night with git and fish, 2 cpus, and stop it after 2 hours idle");
    assert.deepEqual(intent, {
      type: "create",
      name: "night",
      kind: "container",
      modules: ["git", "fish"],
      cpus: 2,
      idleTimeout: "2h",
    });
  });

  void it("never turns the phrase into a stop, and needs an idle word", () => {
    assert.equal(findIdlePhrase("create night and stop it after 2 hours"), undefined);
    assert.equal(findIdlePhrase("stop web"), undefined);
    assert.equal(findIdlePhrase("create web with 2 months of idle"), undefined);
    // Not a create: read as before (the idle phrase is not taken out).
    assert.deepEqual(parse("stop web"), { type: "stop", target: { kind: "named", name: "web" } });
    // "Don't stop web when idle" turns web's timeout off (not-now.test.ts); a plain "don't stop web" stays a decline.
    assert.equal(parse("don't stop web").type, "declined");
  });

  void it("adds the timeout to the one create among several requests", () => {
    const intent = parse("stop web and create lab with git and stop it after 2 hours idle");
    assert.equal(intent.type, "several");
    if (intent.type !== "several") return;
    assert.deepEqual(
      intent.intents.map((item) => [item.type, item.type === "create" ? item.idleTimeout : undefined]),
      [
        ["stop", undefined],
        ["create", "2h"],
      ],
    );
  });
});
