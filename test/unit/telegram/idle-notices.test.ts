/**
 * Idle warnings delivered through the fake Bot API: the core's notice becomes a message in the
 * owner's private chat with a "Keep … running" button; replying "keep" (the offline engine)
 * or pressing the button resets the timer through the core (audited); someone else's press
 * reads like a missing workload; the stop is told too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deliverNotice } from "../../../src/adapters/telegram/notices.js";
import { createNoticeBoard } from "../../../src/ports/notifier.js";
import { createOperationsRepository } from "../../../src/state/operations-repository.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "../core/helpers.js";
import { ALICE, BOB, startBot, type BotHarness } from "./harness.js";
import { workloadOf } from "../../../src/core/api.js";

const MINUTE = 60_000;

void describe("idle warnings in Telegram", () => {
  let bot: BotHarness;
  const board = createNoticeBoard();

  before(async () => {
    bot = await startBot({
      core: { notifier: board, policy: { idle: { defaultTimeoutMs: 120 * MINUTE, warnBeforeMs: 10 * MINUTE } } },
    });
    board.subscribe((notice) => deliverNotice(bot.telegram.bot.api, notice));
    await createReady(bot.test.core, actor(TEST_USERS.alice), { name: "web" });
  });
  after(() => bot?.close());

  const warn = async () => {
    const before = new Set(bot.server.messagesIn(ALICE.id).map((message) => message.messageId));
    bot.test.clock.advance(115 * MINUTE);
    assert.deepEqual((await bot.test.core.idleTick()).warned, ["web"]);
    return bot.server.waitFor("the warning", () =>
      bot.server
        .messagesIn(ALICE.id)
        .find((message) => !before.has(message.messageId) && message.visibleText.includes("stops in")),
    );
  };

  void it("warns the owner in their chat, and a typed keep resets the timer", async () => {
    const warning = await warn();
    assert.match(
      warning.visibleText,
      /^⏰ web stops in 10 minutes \(at \d\d:\d\d\) because nobody has used it; reply keep to keep it running\.$/,
    );
    assert.deepEqual(bot.server.buttonsOf(warning.messageId), [{ text: "Keep web running", data: "k:web" }]);
    const reply = await bot.say(ALICE, "keep", (message) => message.visibleText.includes("keeps running"));
    assert.match(reply.visibleText, /^web keeps running; it stops at \d\d:\d\d if nobody uses it\.$/);
    assert.equal(workloadOf(await bot.test.core.show(actor(TEST_USERS.alice), "web")).idle?.warnedAt, undefined);
    const kept = createOperationsRepository(bot.test.db)
      .recent(50)
      .filter((record) => record.operation === "keep");
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.actor, TEST_USERS.alice);
  });

  void it("the button keeps it for its owner; someone else's press finds nothing", async () => {
    const warning = await warn();
    const answersBefore = bot.server.answeredQueries().length;
    bot.server.pressButton(BOB, warning.messageId, "k:web");
    await bot.server.waitFor("bob's answer", () => bot.server.answeredQueries().length > answersBefore);
    const bobs = bot.server.answeredQueries().at(-1)!;
    assert.match(JSON.stringify(bobs.payload), /no (workload|container) called/i);
    assert.ok(
      workloadOf(await bot.test.core.show(actor(TEST_USERS.alice), "web")).idle?.warnedAt,
      "bob's press changed nothing",
    );
    bot.server.pressButton(ALICE, warning.messageId, "k:web");
    await bot.server.waitFor("alice's answer", () => bot.server.answeredQueries().length > answersBefore + 1);
    assert.match(JSON.stringify(bot.server.answeredQueries().at(-1)!.payload), /web keeps running/);
    assert.equal(workloadOf(await bot.test.core.show(actor(TEST_USERS.alice), "web")).idle?.warnedAt, undefined);
  });

  void it("tells the owner when the workload was stopped", async () => {
    await warn();
    bot.test.clock.advance(11 * MINUTE);
    assert.deepEqual((await bot.test.core.idleTick()).stopped, ["web"]);
    const told = await bot.server.waitFor("the stop notice", () =>
      bot.server.messagesIn(ALICE.id).find((message) => message.visibleText.startsWith("💤")),
    );
    assert.match(
      told.visibleText,
      /^💤 web was stopped after 2h6m without activity\. It starts again when you connect over SSH, or say start web\.$/,
    );
    assert.equal(bot.server.messagesIn(BOB.id).length, 0);
  });
});
