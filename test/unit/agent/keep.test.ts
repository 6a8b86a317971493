/**
 * "keep" in chat: the short replies to an idle warning are understood (with or without a
 * name, as a slash command) and always answered by the offline engine; longer sentences that
 * merely start with "keep" are not taken for it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import { mustRunOffline } from "../../../src/agent/routing.js";

const context = { knownNames: ["web", "dev"], catalogNames: ["git", "fish"] };

void describe("keep in chat", () => {
  void it("reads the short forms", () => {
    assert.deepEqual(parseIntent("keep", context), { type: "keep", target: { kind: "none" } });
    assert.deepEqual(parseIntent("Keep!", context), { type: "keep", target: { kind: "none" } });
    assert.deepEqual(parseIntent("keep web", context), { type: "keep", target: { kind: "named", name: "web" } });
    assert.deepEqual(parseIntent("please keep web running", context), {
      type: "keep",
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseIntent("keep it running", context), { type: "keep", target: { kind: "reference" } });
    assert.deepEqual(parseIntent("keep running", context), { type: "keep", target: { kind: "none" } });
    assert.deepEqual(parseIntent("/keep web", context), { type: "keep", target: { kind: "named", name: "web" } });
    assert.deepEqual(parseIntent("/keep", context), { type: "keep", target: { kind: "none" } });
    assert.deepEqual(parseIntent("keep ghost", context), { type: "keep", target: { kind: "unknown", name: "ghost" } });
  });

  void it("does not take longer sentences for it", () => {
    assert.notEqual(parseIntent("keep git in dev but remove fish", context).type, "keep");
    assert.notEqual(parseIntent("stop web", context).type, "keep");
  });

  void it("always answers offline (the model has no keep tool)", () => {
    assert.equal(mustRunOffline("keep", {} as never), true);
    assert.equal(mustRunOffline("keep web running", {} as never), true);
  });
});
