import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, ALICE, NEWCOMER, startBot, type BotHarness } from "./harness.js";

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const GROUP = { id: -100777, type: "supergroup" as const };

describe("telegram messages beyond plain text", () => {
  it("answers a mention in a group whatever its letter case", async () => {
    harness = await startBot();
    harness.server.sendText(ALICE, "hey @VoxNix_Test_Bot, list my containers", GROUP);
    const reply = await harness.server.waitFor("the group reply", () => harness!.server.messagesIn(GROUP.id)[0]);
    assert.match(reply.text, /private chats/);
  });

  it("tells pending and denied people their status when they send a sticker", async () => {
    harness = await startBot();
    harness.server.sendSticker(NEWCOMER);
    const waiting = await harness.server.waitFor("the status", () => harness!.server.messagesIn(NEWCOMER.id)[0]);
    assert.match(waiting.text, /An admin needs to approve you/);
    await harness.say(ADMIN, "/deny 99", (message) => message.text.includes("denied"));
    const before = harness.server.messagesIn(NEWCOMER.id).length;
    harness.server.sendSticker(NEWCOMER);
    const denied = await harness.server.waitFor("the denial", () =>
      harness!.server
        .messagesIn(NEWCOMER.id)
        .slice(before)
        .find((message) => /declined/.test(message.text)),
    );
    assert.ok(denied);
    assert.ok(!harness.server.messagesIn(NEWCOMER.id).some((message) => /text messages/.test(message.text)));
  });

  it("says that edits are not acted on", async () => {
    harness = await startBot();
    harness.server.editText(ALICE, 5, "/destroy web");
    const hint = await harness.server.waitFor("the hint", () => harness!.server.messagesIn(ALICE.id)[0]);
    assert.match(hint.text, /don't act on edited messages/);
  });

  it("does not tell a newcomer an admin was asked when none could be messaged, and asks again later", async () => {
    harness = await startBot();
    harness.server.blockChat(ADMIN.id);
    const first = await harness.say(NEWCOMER, "hello");
    assert.match(first.visibleText, /could not reach one yet/);
    assert.doesNotMatch(first.visibleText, /I've asked them/);
    harness.server.unblockChat(ADMIN.id);
    const second = await harness.say(NEWCOMER, "hello again");
    assert.match(second.visibleText, /I've asked them/);
    await harness.server.waitFor("the admin's request", () =>
      harness!.server.messagesIn(ADMIN.id).find((message) => message.text.includes("telegram:99")),
    );
  });

  it("does not send an apology into a flood wait that auto-retry gave up on", async () => {
    harness = await startBot();
    harness.server.failWith429("sendMessage", 400);
    harness.server.sendText(ALICE, "/whoami");
    await harness.server.waitFor("the refused reply", () =>
      harness!.server.callsOf("sendMessage").some((call) => call.failedWith === 429),
    );
    // bot.catch runs after the update's middleware settled; give an apology time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(harness.server.callsOf("sendMessage").length, 1, "no apology was sent into the same wait");
  });
});

describe("telegram long polling", () => {
  it("gives up on a long poll that never answers (a dead connection) and keeps receiving updates", async () => {
    harness = await startBot({ bot: { clientTimeoutMarginSeconds: 1 } });
    harness.server.hangConnections("getUpdates");
    await harness.server.waitFor("the hung poll", () =>
      harness!.server.callsOf("getUpdates").some((call) => call.failedWith === 0),
    );
    // `say` gives up after 10 s: with grammY's default 500 s client timeout the reply never comes.
    const reply = await harness.say(ALICE, "/whoami");
    assert.match(reply.text, /telegram:42/);
  });
});
