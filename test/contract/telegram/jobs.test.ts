/**
 * The built bot over the fake NixOS host programs (test/fakes/bin/voxnix-fake-host.mjs):
 * jobs that run real host commands, a stop signal in the middle of one, a late press after a
 * backlog, and a restart in the middle of a plan.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { FakeTelegramServer, FakeMessage } from "../../fakes/fake-telegram-server.js";
import { useBotFixture, type BotHome, type BuiltBot } from "./harness.js";

let server: FakeTelegramServer;
let home: BotHome;
useBotFixture((fixture) => {
  ({ server, home } = fixture);
});

const ALICE = { id: 42, firstName: "Alice" };

async function say(text: string, match: (message: FakeMessage) => boolean): Promise<FakeMessage> {
  const before = new Set(server.messagesIn(ALICE.id).map((message) => message.messageId));
  server.sendText(ALICE, text);
  return server.waitFor(
    `a reply to ${text}`,
    () => server.messagesIn(ALICE.id).find((message) => !before.has(message.messageId) && match(message)),
    30_000,
  );
}

async function started(bot: BuiltBot): Promise<BuiltBot> {
  await bot.waitForOutput(/is polling/);
  return bot;
}

async function createAndPlan(name: string): Promise<FakeMessage> {
  const progress = await say(`/new ${name} git`, (message) => message.visibleText.includes(`Creating ${name}`));
  await server.waitFor(
    `${name} running`,
    () => progress.visibleText.includes("is running") || progress.visibleText.includes("❌"),
    30_000,
  );
  assert.match(progress.visibleText, /is running/);
  return say(`/destroy ${name}`, (message) => message.visibleText.includes(`Destroy ${name}?`));
}

function destroyStarted(name: string): boolean {
  const file = join(home.root, "fake", "calls.jsonl");
  return existsSync(file) && readFileSync(file, "utf8").includes(`"destroy","${name}"`);
}

describe("the built bot running jobs", () => {
  it("finishes a destroy that is running when SIGTERM arrives, shows the result, and exits 0", async () => {
    const bot = await started(home.overFakeHost(server.apiRoot, { FAKE_EXTRA_CONTAINER_DESTROY: "slow:2500" }));
    const plan = await createAndPlan("qa1");
    server.pressButton(ALICE, plan.messageId, server.buttonsOf(plan.messageId)[0]!.data);
    await server.waitFor("the host command to start", () => destroyStarted("qa1"), 20_000);
    bot.signal("SIGTERM");
    const exit = await bot.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, bot.stderr);
    assert.match(plan.visibleText, /qa1 was destroyed/, plan.visibleText);
    assert.match(bot.stdout, /SIGTERM received; finishing running jobs/);
  });

  it("a late Confirm press after a backlog destroys once and the result stays", async () => {
    const bot = await started(home.overFakeHost(server.apiRoot));
    const plan = await createAndPlan("qa1");
    const confirm = server.buttonsOf(plan.messageId)[0]!.data;
    server.pressButton(ALICE, plan.messageId, confirm, { waitedMs: 18_800 });
    await server.waitFor("the result", () => plan.visibleText.includes("was destroyed"), 20_000);
    const result = plan.text;
    server.pressButton(ALICE, plan.messageId, confirm);
    await server.waitFor("the second press answered", () => server.answeredQueries().length >= 1);
    assert.equal(plan.text, result);
    const destroys = readFileSync(join(home.root, "fake", "calls.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.includes('"extra-container","args":["destroy"'));
    assert.equal(destroys.length, 1, destroys.join("\n"));
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
  });

  it("a restart in the middle of a plan retires its buttons; a press afterwards destroys nothing and keeps the text", async () => {
    const first = await started(home.overFakeHost(server.apiRoot));
    const plan = await createAndPlan("qa1");
    const confirm = server.buttonsOf(plan.messageId)[0]!.data;
    first.signal("SIGTERM");
    assert.equal((await first.exited).code, 0, first.stderr);
    assert.deepEqual(server.buttonsOf(plan.messageId), [], "no live-looking buttons after the stop");
    assert.match(plan.visibleText, /Destroy qa1\?[\s\S]*stopped before this was answered/);

    await started(home.overFakeHost(server.apiRoot));
    const text = plan.text;
    server.pressButton(ALICE, plan.messageId, confirm);
    await server.waitFor(
      "the stale press answered",
      () => server.answeredQueries().some((call) => /no longer does anything/.test(String(call.payload.text))),
      20_000,
    );
    assert.equal(plan.text, text);
    assert.equal(destroyStarted("qa1"), false);
    const list = await say("/list", (message) => message.visibleText.includes("qa1"));
    assert.ok(list);
  });
});
