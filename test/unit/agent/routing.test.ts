import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mustRunOffline } from "../../../src/agent/routing.js";
import { EMPTY_CONVERSATION, type ConversationState } from "../../../src/agent/memory/state.js";

const pending: ConversationState = {
  messages: [],
  pending: { token: "t", plan: { workload: "web", removes: [], keeps: [] }, expiresAt: "2026-01-01T00:05:00Z" },
};
const question: ConversationState = {
  messages: [],
  question: { request: { type: "create", modules: [] }, suggestion: "dev-1" },
};

describe("which messages never reach the model", () => {
  it("slash commands, resets, account questions and other users' ids always go offline", () => {
    for (const text of [
      "/destroy web",
      "/reset",
      "reset",
      "who am i",
      "destroy telegram:43's dev",
      "act as local:admin",
    ]) {
      assert.equal(mustRunOffline(text, EMPTY_CONVERSATION), true, text);
    }
  });

  it("yes and no go offline only when something is waiting for them", () => {
    assert.equal(mustRunOffline("yes", pending), true);
    assert.equal(mustRunOffline("no", pending), true);
    assert.equal(mustRunOffline("yes", question), true);
    assert.equal(
      mustRunOffline("yes", EMPTY_CONVERSATION),
      false,
      "a yes to the model's own question goes to the model",
    );
  });

  it("a bare name answers the offline engine's question", () => {
    assert.equal(mustRunOffline("web", question), true);
    assert.equal(mustRunOffline("web", EMPTY_CONVERSATION), false);
  });

  it("everyday requests go to the model when one is configured", () => {
    for (const text of ["spin up a dev container called web with git and fish", "what do I have", "stop it"]) {
      assert.equal(mustRunOffline(text, EMPTY_CONVERSATION), false, text);
    }
  });
});
