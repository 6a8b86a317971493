import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, ALICE, BOB, NEWCOMER, startBot, type BotHarness } from "./harness.js";
import { actor } from "../../fakes/core-harness.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";
import { ED25519, ED25519_FINGERPRINT } from "../../fakes/fixture-ssh-keys.js";

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Creates `name` for `user` through the bot and waits for the final result. */
async function createThroughBot(h: BotHarness, user: typeof ALICE, name: string) {
  const progress = await h.say(user, `/new ${name} git fish`, (message) => message.text.includes(`Creating ${name}`));
  await h.server.waitFor(`${name} to be ready`, () => progress.text.includes("is running"));
  return progress;
}

describe("telegram bot: start-up", () => {
  it("deletes any webhook and registers the user menu and the admin menu for admin chats", async () => {
    harness = await startBot();
    const calls = harness.server.callsOf("setMyCommands");
    const everyone = calls.find((call) => call.payload.scope === undefined);
    const admins = calls.find((call) => call.payload.scope?.type === "chat" && call.payload.scope.chat_id === ADMIN.id);
    assert.ok(harness.server.callsOf("deleteWebhook").length === 1);
    const names = (call: typeof everyone) =>
      (call?.payload.commands as { command: string }[]).map((command) => command.command);
    assert.deepEqual(names(everyone), [
      "start",
      "help",
      "new",
      "list",
      "status",
      "logs",
      "stop",
      "destroy",
      "storage",
      "web",
      "reset",
      "whoami",
      "sshkey",
    ]);
    for (const admin of ["users", "approve", "deny", "limits"]) {
      assert.ok(names(admins).includes(admin), `admin menu has /${admin}`);
      assert.ok(!names(everyone).includes(admin), `user menu lacks /${admin}`);
    }
  });
});

describe("telegram bot: create with progress", () => {
  it("shows one message, edited in place, ending with the result", async () => {
    harness = await startBot();
    const hold = harness.test.backend.hold("create");
    const progress = await harness.say(ALICE, "/new web git fish", (message) => message.text.includes("Creating web"));
    await hold.reached;
    await harness.server.waitFor("the building step on screen", () => progress.text.includes("Building web"));
    const sentBefore = harness.server.messagesIn(ALICE.id).length;
    hold.release();
    await harness.server.waitFor("the final result", () => progress.text.includes("is running"));
    await harness.telegram.settled();

    assert.equal(
      harness.server.messagesIn(ALICE.id).length,
      sentBefore,
      "no extra message: the progress message was edited",
    );
    assert.ok(progress.edits >= 1);
    assert.match(progress.text, /✅ <b>web<\/b> is running\./);
    assert.match(progress.text, /Modules: git, fish/);
    assert.equal(progress.parseMode, "HTML");
    assert.ok(harness.test.backend.containers.has("web"));
    // Every edit targeted that one message.
    for (const call of harness.server.callsOf("editMessageText"))
      assert.equal(call.payload.message_id, progress.messageId);
  });

  it("shows a failed create as a failure in the same message, in plain words", async () => {
    harness = await startBot();
    const { HostFailureError } = await import("../../../src/domain/errors.js");
    harness.test.backend.failNext(
      "create",
      new HostFailureError("The host could not build the container.", "stderr: secret /nix/store path"),
    );
    const progress = await harness.say(ALICE, "/new web", (message) => message.text.includes("Creating web"));
    await harness.server.waitFor("the failure", () => progress.text.includes("❌"));
    assert.ok(!progress.text.includes("stderr"), "host detail stays in the log");
  });
});

describe("telegram bot: destroy with confirmation buttons", () => {
  it("Cancel keeps the container; Confirm by the owner destroys it", async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");

    const plan = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    const buttons = harness.server.buttonsOf(plan.messageId);
    assert.deepEqual(
      buttons.map((button) => button.text),
      ["Confirm", "Cancel"],
    );
    for (const button of buttons)
      assert.ok(Buffer.byteLength(button.data) <= 64, "callback data fits Telegram's 64 bytes");

    harness.server.pressButton(ALICE, plan.messageId, buttons[1]!.data);
    await harness.server.waitFor("the cancel", () => plan.text.includes("Cancelled"));
    assert.deepEqual(harness.server.buttonsOf(plan.messageId), [], "buttons removed");
    assert.ok(harness.test.backend.containers.has("web"));

    const again = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    const confirm = harness.server.buttonsOf(again.messageId)[0]!;
    harness.server.pressButton(ALICE, again.messageId, confirm.data);
    await harness.server.waitFor("the destroy result", () => again.text.includes("was destroyed"));
    await harness.telegram.settled();
    assert.ok(!harness.test.backend.containers.has("web"));
    assert.equal((await harness.test.core.list(actor("telegram:42"))).workloads.length, 0);
  });

  it("refuses another user's press and leaves the button to its owner", async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");
    const plan = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    const confirm = harness.server.buttonsOf(plan.messageId)[0]!;

    const queryId = harness.server.pressButton(BOB, plan.messageId, confirm.data);
    const answer = await harness.server.waitFor("Bob's answer", () =>
      harness!.server.callsOf("answerCallbackQuery").find((call) => call.payload.callback_query_id === queryId),
    );
    assert.equal(answer.payload.show_alert, true);
    assert.match(String(answer.payload.text), /Only the person who asked/);
    assert.ok(harness.test.backend.containers.has("web"), "Bob's press destroyed nothing");
    assert.equal(harness.server.buttonsOf(plan.messageId).length, 2, "Alice still has her buttons");

    harness.server.pressButton(ALICE, plan.messageId, confirm.data);
    await harness.server.waitFor("the destroy", () => plan.text.includes("was destroyed"));
  });

  it("an expired confirmation edits the message and destroys nothing", async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");
    const plan = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    harness.test.clock.advance(harness.test.policy.confirmationTtlMs + 1000);
    harness.server.pressButton(ALICE, plan.messageId, harness.server.buttonsOf(plan.messageId)[0]!.data);
    await harness.server.waitFor("the expiry notice", () => plan.text.includes("expired"));
    assert.ok(harness.test.backend.containers.has("web"));
  });

  it('a typed "yes" confirms through the pipeline', async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");
    const plan = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    const result = await harness.say(ALICE, "yes", (message) => message.text.includes("Destroying web"));
    await harness.server.waitFor("the destroy", () => result.text.includes("was destroyed"));
    assert.ok(!harness.test.backend.containers.has("web"));
    assert.deepEqual(harness.server.buttonsOf(plan.messageId), [], "the answered plan's buttons are gone");
    assert.match(plan.text, /Answered in the chat/);
  });
});

describe("telegram bot: admission of new users", () => {
  it("waits, asks the admins, refuses a non-admin's press, and lets the user in once an admin approves", async () => {
    harness = await startBot();
    const waiting = await harness.say(NEWCOMER, "hello");
    assert.match(waiting.text, /An admin needs to approve you/);
    const request = await harness.server.waitFor("the admin's request", () =>
      harness!.server.messagesIn(ADMIN.id).find((message) => message.text.includes("telegram:99")),
    );
    assert.ok(request.text.includes("&lt;Eve &amp; co&gt;"), "the display name is escaped");
    const [approve, deny] = harness.server.buttonsOf(request.messageId);
    assert.equal(approve?.text, "Approve");
    assert.equal(deny?.text, "Deny");

    // A second message gets a short reminder and does not ask the admins again.
    await harness.say(NEWCOMER, "hello?", (message) => message.text.includes("Still waiting"));
    assert.equal(
      harness.server.messagesIn(ADMIN.id).filter((message) => message.text.includes("telegram:99")).length,
      1,
    );
    // Pending users cannot create anything.
    await harness.say(NEWCOMER, "/new sneaky", (message) => message.text.includes("Still waiting"));
    assert.ok(!harness.test.backend.containers.has("sneaky"));

    // Alice (not an admin) presses Approve: the core refuses.
    const aliceQuery = harness.server.pressButton(ALICE, request.messageId, approve.data);
    const refusal = await harness.server.waitFor("Alice's refusal", () =>
      harness!.server.callsOf("answerCallbackQuery").find((call) => call.payload.callback_query_id === aliceQuery),
    );
    assert.match(String(refusal.payload.text), /Only admins/);
    assert.equal((await harness.test.core.whoami(actor("telegram:99"))).status, "pending");

    harness.server.pressButton(ADMIN, request.messageId, approve.data);
    await harness.server.waitFor("the admin message updated", () => request.text.includes("approved"));
    await harness.server.waitFor("the user told", () =>
      harness!.server.messagesIn(NEWCOMER.id).find((message) => message.text.includes("You're in!")),
    );
    assert.equal((await harness.test.core.whoami(actor("telegram:99"))).status, "active");

    await createThroughBot(harness, NEWCOMER, "lab");
    assert.ok(harness.test.backend.containers.has("lab"));
  });

  it("Deny tells the user and keeps them out", async () => {
    harness = await startBot();
    await harness.say(NEWCOMER, "hi");
    const request = await harness.server.waitFor("the admin's request", () =>
      harness!.server.messagesIn(ADMIN.id).find((message) => message.text.includes("telegram:99")),
    );
    harness.server.pressButton(ADMIN, request.messageId, harness.server.buttonsOf(request.messageId)[1]!.data);
    await harness.server.waitFor("the user told", () =>
      harness!.server.messagesIn(NEWCOMER.id).find((message) => message.text.includes("declined")),
    );
    await harness.server.waitFor("the admin message updated", () => request.text.includes("denied"));
    const after = await harness.say(NEWCOMER, "/new box", (message) => message.text.includes("declined"));
    assert.ok(after);
    assert.ok(!harness.test.backend.containers.has("box"));
  });

  it("/approve and /users work for admins and are refused for others", async () => {
    harness = await startBot();
    await harness.say(NEWCOMER, "hi");
    const refused = await harness.say(BOB, "/approve 99");
    assert.match(refused.text, /Only admins/);
    assert.equal((await harness.test.core.whoami(actor("telegram:99"))).status, "pending");
    const approved = await harness.say(ADMIN, "/approve 99", (message) => message.text.includes("is now"));
    assert.match(approved.text, /<code>telegram:99<\/code> is now active/);
    const users = await harness.say(ADMIN, "/users", (message) => message.text.includes("Users"));
    assert.ok(users.text.includes("telegram:99"));
    const limits = await harness.say(ADMIN, "/limits 99 workloads=2", (message) => message.text.includes("Limits"));
    assert.match(limits.text, /2 workloads/);
    const prototypeKey = await harness.say(ADMIN, "/limits 99 constructor=1", (message) =>
      message.text.includes("understand"),
    );
    assert.match(prototypeKey.text, /I don't understand/, "an inherited key is not a limit");
    const pids = await harness.say(ADMIN, "/limits 99 pids=2048", (message) => message.text.includes("Limits"));
    assert.equal((await harness.test.core.whoami(actor("telegram:99"))).limits.pidsBudget, 2048);
    assert.match(pids.text, /Limits/);
  });

  it("/limits sets the kind keys (default kind, VMs only) and shows them; bad values change nothing", async () => {
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [] });
    harness = await startBot({ core: { extraRuntimes: [vms] } });
    await harness.say(ALICE, "hi");
    const byDefault = await harness.say(ADMIN, "/limits 42 kind=vm", (message) => message.text.includes("Limits"));
    assert.match(byDefault.text, /VMs by default/);
    assert.equal((await harness.test.core.whoami(actor("telegram:42"))).limits.defaultKind, "vm");
    const only = await harness.say(ADMIN, "/limits 42 vmonly=yes", (message) => message.text.includes("Limits"));
    assert.match(only.text, /VMs only/);
    assert.equal((await harness.test.core.whoami(actor("telegram:42"))).limits.vmOnly, true);
    const bad = await harness.say(ADMIN, "/limits 42 kind=windows", (message) => message.text.includes("kind"));
    assert.match(bad.text, /is <code>vm<\/code> or <code>container<\/code>/);
    const badFlag = await harness.say(ADMIN, "/limits 42 vmonly=maybe", (message) => message.text.includes("vmonly"));
    assert.match(badFlag.text, /<code>yes<\/code> or <code>no<\/code>/);
    const shown = await harness.say(ADMIN, "/limits 42", (message) => message.text.includes("telegram:42"));
    assert.match(shown.text, /VMs only/, "the bad values changed nothing");
    const back = await harness.say(ADMIN, "/limits 42 vmonly=no kind=container", (message) =>
      message.text.includes("Limits"),
    );
    assert.doesNotMatch(back.text, /VMs/);
    const limits = (await harness.test.core.whoami(actor("telegram:42"))).limits;
    assert.notEqual(limits.vmOnly, true);
    assert.notEqual(limits.defaultKind, "vm");
  });

  it("/limits refuses the kind keys while no VM runtime is configured", async () => {
    harness = await startBot();
    await harness.say(ALICE, "hi");
    const refused = await harness.say(ADMIN, "/limits 42 kind=vm", (message) => /VM/.test(message.text));
    assert.doesNotMatch(refused.text, /^Limits/);
    assert.notEqual((await harness.test.core.whoami(actor("telegram:42"))).limits.defaultKind, "vm");
  });
});

describe("telegram bot: /sshkey", () => {
  it("registers the sender's own key without the chat pipeline, lists and removes it", async () => {
    harness = await startBot({ bot: { sshAccess: { host: "box.example", port: 2222 } } });
    const added = await harness.say(ALICE, `/sshkey ${ED25519}`, (message) => message.text.includes("Registered"));
    assert.match(
      added.text,
      /Registered your ssh-ed25519 key <code>SHA256:DDbF5DZKr64y7qe1b6X8F6wjQimur3DI\+c6c0J7SfmI<\/code>/,
    );
    assert.match(added.text, /ssh -p 2222 NAME@box\.example/);
    assert.equal((await harness.test.core.listSshKeys(actor("telegram:42")))[0]?.fingerprint, ED25519_FINGERPRINT);
    const stolen = await harness.say(BOB, `/sshkey ${ED25519}`, (message) =>
      message.text.includes("already registered"),
    );
    assert.doesNotMatch(stolen.text, /telegram:42|Alice/, "the refusal names no one");
    const secret = await harness.say(
      BOB,
      "/sshkey -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
      (message) => message.text.includes("private key"),
    );
    assert.doesNotMatch(secret.text, /b3BlbnNzaC1rZXkt/);
    assert.match(
      (await harness.say(ALICE, "/sshkey", (message) => message.text.includes("Your SSH keys"))).text,
      /alice@laptop/,
    );
    const removed = await harness.say(ALICE, `/sshkey remove ${ED25519_FINGERPRINT}`, (message) =>
      message.text.includes("Removed"),
    );
    assert.match(removed.text, /no longer logs you in/);
    assert.deepEqual(await harness.test.core.listSshKeys(actor("telegram:42")), []);
  });
});

describe("telegram bot: users are kept apart", () => {
  it("Bob cannot see, stop or destroy Alice's container through any command or button", async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");

    assert.match((await harness.say(BOB, "/list")).text, /You have no containers/);
    assert.match((await harness.say(BOB, "/status web")).text, /no container called/);
    assert.match((await harness.say(BOB, "/stop web")).text, /no container called/);
    assert.match((await harness.say(BOB, "/logs web")).text, /no container called/);
    assert.match((await harness.say(BOB, "stop it")).text, /no containers/);
    const destroy = await harness.say(BOB, "/destroy web");
    assert.match(destroy.text, /no container called/);
    assert.deepEqual(harness.server.buttonsOf(destroy.messageId), [], "no buttons for Bob");
    assert.match((await harness.say(BOB, "yes")).text, /nothing waiting for your confirmation/);

    // Bob presses Alice's Confirm button.
    const plan = await harness.say(ALICE, "/destroy web", (message) => message.text.includes("Destroy web?"));
    for (const button of harness.server.buttonsOf(plan.messageId)) {
      const queryId = harness.server.pressButton(BOB, plan.messageId, button.data);
      const answer = await harness.server.waitFor(`Bob's ${button.text} refused`, () =>
        harness!.server.callsOf("answerCallbackQuery").find((call) => call.payload.callback_query_id === queryId),
      );
      assert.match(String(answer.payload.text), /Only the person who asked/);
    }
    assert.equal(harness.server.buttonsOf(plan.messageId).length, 2, "Alice's plan is untouched");

    const container = harness.test.backend.containers.get("web");
    assert.equal(container?.state, "running");
    assert.match((await harness.say(ALICE, "/list")).text, /web: running/);
    // Nothing Bob saw shows Alice's container.
    for (const message of harness.server.messagesIn(BOB.id))
      assert.ok(!/web: running|10\.231\./.test(message.text), message.text);
  });
});

describe("telegram bot: Telegram limits and formatting", () => {
  it("honours a 429 retry_after and then delivers the message", async () => {
    harness = await startBot();
    harness.server.failWith429("sendMessage", 1);
    const reply = await harness.say(ALICE, "/whoami");
    assert.match(reply.text, /telegram:42/);
    const sends = harness.server.callsOf("sendMessage");
    const failed = sends.findIndex((call) => call.failedWith === 429);
    assert.ok(failed >= 0, "the first attempt got a 429");
    const retry = sends[failed + 1]!;
    assert.equal(retry.payload.text, sends[failed]!.payload.text, "the same message was retried");
    assert.equal(retry.failedWith, undefined);
    assert.ok(retry.at - sends[failed]!.at >= 900, "the retry waited for retry_after (1 s)");
  });

  it("escapes <, > and & in replies (container output)", async () => {
    harness = await startBot();
    await createThroughBot(harness, ALICE, "web");
    harness.test.backend.logs = async () => [{ message: "<b>bold</b> & 'quotes' <script>" }];
    const reply = await harness.say(ALICE, "/logs web", (message) => message.text.includes("bold"));
    assert.ok(reply.text.includes("&lt;b&gt;bold&lt;/b&gt; &amp; 'quotes' &lt;script&gt;"), reply.text);
    assert.ok(!reply.text.includes("<script>"));
    assert.equal(reply.parseMode, "HTML");
  });

  it("splits a long list into several messages at line boundaries", async () => {
    harness = await startBot({
      core: {
        policy: {
          defaultLimits: {
            diskQuotaBytes: 1024 ** 4,
            maxWorkloads: 200,
            cpuBudget: 200,
            memoryBudgetBytes: 1024 ** 4,
            pidsBudget: 512 * 200,
          },
        },
      },
    });
    const alice = actor("telegram:42");
    const names = Array.from({ length: 160 }, (_, index) => `w${String(index).padStart(3, "0")}`);
    for (const name of names)
      await (await harness.test.core.create(alice, { name, modules: ["git"], resources: { memory: "64M" } })).wait();
    const before = harness.server.messagesIn(ALICE.id).length;
    harness.server.sendText(ALICE, "/list");
    await harness.server.waitFor("the whole list", () =>
      harness!.server
        .messagesIn(ALICE.id)
        .slice(before)
        .some((message) => message.text.includes(names.at(-1)!)),
    );
    const parts = harness.server.messagesIn(ALICE.id).slice(before);
    assert.ok(parts.length >= 2, `split into ${parts.length} messages`);
    const lines: string[] = [];
    for (const part of parts) {
      assert.ok(part.text.length <= 4096);
      assert.ok(part.text.trim().length > 0);
      lines.push(...part.text.split("\n").filter(Boolean));
    }
    assert.match(lines.shift()!, /You have 160 containers/);
    assert.deepEqual(
      lines.map((line) => /^• (w\d{3}):/.exec(line)?.[1]),
      names,
      "every line intact and in order",
    );
    for (const line of lines) assert.match(line, /^• w\d{3}: running, 10\.231\.\d+\.\d+ \(git, workspace\)$/);
  });

  it("answers in groups only to say it works in private chats", async () => {
    harness = await startBot();
    harness.server.sendText(ALICE, "/list", { id: -100123, type: "supergroup" });
    const reply = await harness.server.waitFor("the group reply", () => harness!.server.messagesIn(-100123)[0]);
    assert.match(reply.text, /private chats/);
    assert.equal(harness.server.messagesIn(-100123).length, 1);
    assert.equal(harness.server.messagesIn(ALICE.id).length, 0, "nothing was answered privately either");
  });

  it("answers an unexpected failure with a plain apology, never a stack trace", async () => {
    harness = await startBot({
      pipeline: () => ({
        handle: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'spec') at /work/src/x.ts:1:1");
        },
        confirm: async () => {
          throw new Error("unused");
        },
        cancel: async () => {
          throw new Error("unused");
        },
        reset: async () => undefined,
      }),
    });
    const reply = await harness.say(ALICE, "list");
    assert.match(reply.text, /Something went wrong on my side/);
    assert.ok(!reply.text.includes("TypeError") && !reply.text.includes(".ts:"));
  });
});
