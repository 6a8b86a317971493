/**
 * "How do I connect to dev?" with the SSH gateway enabled: the person gets the real `ssh`
 * line for their workload on the published host and port, and is told to register a key
 * when they have none, and the dashboard's terminal with how to get a login link; without
 * the gateway the answer names what exists instead (the dashboard when it is served).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createAgentHarness, TEST_USERS } from "./helpers.js";
import { createReady } from "../core/helpers.js";
import { ED25519 } from "../../fakes/fixture-ssh-keys.js";

const alice = actor(TEST_USERS.alice);

void describe("login questions with the SSH gateway", () => {
  void it("give the exact ssh command for the workload, and ask for a key first when there is none", async () => {
    const harness = createAgentHarness({
      config: { ssh: { enabled: true, listen: "0.0.0.0:2222", publicHost: "box.tail1234.ts.net" } },
    });
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

  void it('"how do I connect to web?" gives the exact ssh line and the dashboard with its login link command', async () => {
    const harness = createAgentHarness({
      config: {
        ssh: { enabled: true, listen: "0.0.0.0:2222", publicHost: "box.lan" },
        http: { publicUrl: "https://vox.example/" },
      },
    });
    await createReady(harness.core, alice, { name: "web" });
    const reply = await harness.pipeline.handle(alice, "how do I connect to web?");
    assert.equal(reply.engine, "offline");
    const lines = reply.text.split("\n");
    assert.ok(lines.includes("Open a shell in web from your computer with: ssh -p 2222 web@box.lan"), reply.text);
    assert.ok(
      lines.includes(
        "In a browser: the dashboard at https://vox.example/web/ has a terminal for web (ask for a login link: /web in Telegram, or voxnix web link on the appliance).",
      ),
      reply.text,
    );
  });

  void it("without the gateway but with the dashboard served, the answer points to its terminal; with neither, to what exists", async () => {
    const served = createAgentHarness({ config: { http: { listen: "127.0.0.1:8710" } } });
    await createReady(served.core, alice, { name: "dev" });
    const reply = await served.pipeline.handle(alice, "how do I connect to dev?");
    assert.match(
      reply.text,
      /the dashboard at http:\/\/127\.0\.0\.1:8710\/web\/ has a browser terminal for dev \(ask for a login link: \/web in Telegram/,
    );
    assert.doesNotMatch(reply.text, /ssh -p/);
    const neither = createAgentHarness({ config: { serve: { http: false } } });
    await createReady(neither.core, alice, { name: "dev" });
    const plain = await neither.pipeline.handle(alice, "how do I connect to dev?");
    assert.match(plain.text, /Remote login \(SSH or a web terminal\) is not set up/);
    assert.doesNotMatch(plain.text, /dashboard/);
  });
});
