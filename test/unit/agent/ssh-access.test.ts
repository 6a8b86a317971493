/**
 * "How do I connect to dev?" with the SSH gateway enabled: the person gets the real `ssh`
 * line for their workload on the published host and port, and is told to register a key
 * when they have none; without the gateway the answer names what exists instead.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createAgentHarness, TEST_USERS } from "./helpers.js";
import { createReady } from "../core/helpers.js";
import { ED25519 } from "../../fakes/fixture-ssh-keys.js";

const alice = actor(TEST_USERS.alice);

void describe("login questions with the SSH gateway", () => {
  void it("give the exact ssh command for the workload, and ask for a key first when there is none", async () => {
    const harness = createAgentHarness({ config: { ssh: { enabled: true, listen: "0.0.0.0:2222", publicHost: "box.tail1234.ts.net" } } });
    await createReady(harness.core, alice, { name: "dev" });
    const first = await harness.pipeline.handle(alice, "how do I connect to dev?");
    assert.match(first.text, /ssh -p 2222 dev@box\.tail1234\.ts\.net/);
    assert.match(first.text, /\/sshkey/);
    await harness.core.addSshKey(alice, { publicKey: ED25519 });
    const second = await harness.pipeline.handle(alice, "how do I log into dev?");
    assert.match(second.text, /ssh -p 2222 dev@box\.tail1234\.ts\.net/);
    assert.match(second.text, /registered key \(1 key\)/);
    assert.doesNotMatch(second.text, /\/sshkey/);
  });

  void it("without the gateway, answer with what exists", async () => {
    const harness = createAgentHarness();
    await createReady(harness.core, alice, { name: "dev" });
    const reply = await harness.pipeline.handle(alice, "how do I connect to dev?");
    assert.match(reply.text, /not set up on this appliance/);
    assert.doesNotMatch(reply.text, /ssh -p/);
  });
});
