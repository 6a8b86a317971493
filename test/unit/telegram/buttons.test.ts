import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, ALICE, NEWCOMER, startBot, type BotHarness } from "./harness.js";
import { actor } from "../../fakes/core-harness.js";
import { QUERY_TOO_OLD } from "../../fakes/fake-telegram-server.js";

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function planFor(h: BotHarness, name: string) {
  const progress = await h.say(ALICE, `/new ${name} git`, (message) => message.text.includes(`Creating ${name}`));
  await h.server.waitFor(`${name} to be ready`, () => progress.text.includes("is running"));
  return h.say(ALICE, `/destroy ${name}`, (message) => message.text.includes(`Destroy ${name}?`));
}

describe("telegram buttons: answering a press is best effort", () => {
  it("a Confirm press that waited behind a backlog (query too old) still destroys, once, and says so", async () => {
    harness = await startBot();
    const plan = await planFor(harness, "qa1");
    const confirm = harness.server.buttonsOf(plan.messageId)[0]!;
    harness.server.pressButton(ALICE, plan.messageId, confirm.data, { waitedMs: 20_000 });
    await harness.server.waitFor("the destroy result", () => plan.visibleText.includes("was destroyed"));
    await harness.telegram.settled();
    assert.ok(!harness.test.backend.containers.has("qa1"));
    const answers = harness.server.callsOf("answerCallbackQuery");
    assert.equal(answers.length, 1);
    assert.equal(answers[0]!.failedWith, 400, "Telegram refused the late answer");
    assert.equal(harness.test.backend.calls.filter((call) => call.method === "destroy").length, 1);
  });

  it("a second or late press keeps the result (and its undo hint) and only gets a toast", async () => {
    harness = await startBot();
    const plan = await planFor(harness, "qa1");
    const confirm = harness.server.buttonsOf(plan.messageId)[0]!;
    harness.server.pressButton(ALICE, plan.messageId, confirm.data);
    await harness.server.waitFor("the destroy result", () => plan.visibleText.includes("was destroyed"));
    await harness.telegram.settled();
    const result = plan.text;
    const second = harness.server.pressButton(ALICE, plan.messageId, confirm.data);
    const toast = await harness.server.waitFor("the toast", () =>
      harness!.server.answeredQueries().find((call) => call.payload.callback_query_id === second),
    );
    assert.match(String(toast.payload.text), /answered already/);
    await harness.telegram.settled();
    assert.equal(plan.text, result, "the result stays");
  });

  it("a button the bot no longer knows is removed from its message, text kept, with an explanation", async () => {
    harness = await startBot();
    const plan = await planFor(harness, "qa1");
    const text = plan.text;
    const query = harness.server.pressButton(ALICE, plan.messageId, "c:y:from-before-a-restart");
    const alert = await harness.server.waitFor("the alert", () =>
      harness!.server.answeredQueries().find((call) => call.payload.callback_query_id === query),
    );
    assert.match(String(alert.payload.text), /no longer does anything/);
    await harness.server.waitFor("buttons removed", () => harness!.server.buttonsOf(plan.messageId).length === 0);
    assert.equal(plan.text, text);
    assert.ok(harness.test.backend.containers.has("qa1"));

    const old = harness.server.pressButton(ALICE, plan.messageId, "x:some-old-version", { waitedMs: 20_000 });
    await harness.server.waitFor("a chat message instead of the late alert", () =>
      harness!.server.messagesIn(ALICE.id).find((message) => message.text.includes("no longer does anything")),
    );
    assert.equal(harness.server.answeredQueries().filter((call) => call.payload.callback_query_id === old).length, 0);
  });

  it("plans still waiting when the bot stops lose their buttons and say why", async () => {
    harness = await startBot();
    const plan = await planFor(harness, "qa1");
    await harness.telegram.stop();
    assert.deepEqual(harness.server.buttonsOf(plan.messageId), []);
    assert.match(plan.visibleText, /stopped before this was answered; nothing was changed/);
    assert.match(plan.visibleText, /Destroy qa1\?/);
  });

  it("Approve works even when Telegram refuses the answer, keeps 'approved by', and a second Approve tells nobody again", async () => {
    harness = await startBot();
    await harness.say(NEWCOMER, "hello");
    const request = await harness.server.waitFor("the request", () =>
      harness!.server.messagesIn(ADMIN.id).find((message) => message.text.includes("telegram:99")),
    );
    const approve = harness.server.buttonsOf(request.messageId)[0]!;
    harness.server.pressButton(ADMIN, request.messageId, approve.data, { waitedMs: 20_000 });
    await harness.server.waitFor("the user told", () =>
      harness!.server.messagesIn(NEWCOMER.id).find((message) => message.text.includes("You're in!")),
    );
    assert.equal((await harness.test.core.whoami(actor("telegram:99"))).status, "active");
    await harness.telegram.settled();
    assert.match(request.visibleText, /was approved by Ada/);

    const again = harness.server.pressButton(ADMIN, request.messageId, approve.data);
    await harness.server.waitFor("the second answer", () =>
      harness!.server.answeredQueries().find((call) => call.payload.callback_query_id === again),
    );
    await harness.telegram.settled();
    assert.equal(
      harness.server.messagesIn(NEWCOMER.id).filter((message) => message.text.includes("You're in!")).length,
      1,
    );
    assert.match(request.visibleText, /was approved by Ada/);
  });
});

describe("fake Bot API: what Telegram enforces", () => {
  it("refuses an answer to a press that waited too long", async () => {
    harness = await startBot();
    const plan = await planFor(harness, "qa1");
    const query = harness.server.pressButton(ALICE, plan.messageId, "c:n:nothing", { waitedMs: 20_000 });
    const reply = await fetch(`${harness.server.apiRoot}/bot123456:TEST-token/answerCallbackQuery`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ callback_query_id: query }),
    });
    assert.equal(((await reply.json()) as { description: string }).description, QUERY_TOO_OLD);
  });
});
