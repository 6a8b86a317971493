/**
 * `/web` and "open the dashboard" in Telegram: a single-use login link bound to the Telegram
 * user who asked (from `from.id`, never the text), or a plain answer when no dashboard is
 * configured; and which phrases count as asking for the dashboard.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { isDashboardRequest } from "../../../src/agent/intents/dashboard.js";
import { ALICE, startBot, type BotHarness } from "./harness.js";

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const LINK = /https:\/\/voxnix\.example\.org\/web\/login\/(vxl_[A-Za-z0-9_-]{43})/;

describe("telegram dashboard links", () => {
  it("/web answers with a working single-use link for that Telegram user", async () => {
    harness = await startBot({ bot: { dashboardLink: (token) => `https://voxnix.example.org/web/login/${token}` } });
    const reply = await harness.say(ALICE, "/web");
    const token = LINK.exec(reply.text)?.[1];
    assert.ok(token, reply.text);
    assert.match(reply.text, /works once, for 10 minutes/);
    assert.equal(harness.test.core.inspectLoginLink(token), "usable");
    const session = await harness.test.core.startWebSession(token);
    assert.equal(session.userId, "telegram:42");
    assert.equal(harness.test.core.inspectLoginLink(token), "used");
    assert.doesNotMatch(reply.text, /only on the appliance/, "a published address needs no warning");
  });

  it("a link to the appliance's loopback (no http.publicUrl) says it opens on the appliance only", async () => {
    harness = await startBot({ bot: { dashboardLink: (token) => `http://127.0.0.1:8710/web/login/${token}` } });
    const reply = await harness.say(ALICE, "/web");
    assert.match(reply.text, /http:\/\/127\.0\.0\.1:8710\/web\/login\/vxl_/);
    assert.match(
      reply.text,
      /This address opens only on the appliance itself: the administrator has not published the dashboard yet \(<code>http\.publicUrl<\/code>\)\./,
    );
  });

  it("'open the dashboard' does the same, and 'send me the dashboard link for telegram:43' is still alice's", async () => {
    harness = await startBot({ bot: { dashboardLink: (token) => `https://voxnix.example.org/web/login/${token}` } });
    const reply = await harness.say(ALICE, "open the dashboard");
    const token = LINK.exec(reply.text)?.[1];
    assert.ok(token, reply.text);
    assert.equal((await harness.test.core.startWebSession(token)).userId, "telegram:42");
    const audit = harness.test.db.sqlite
      .prepare("SELECT actor FROM operations WHERE operation = 'createLoginLink'")
      .all();
    assert.deepEqual(audit, [{ actor: "telegram:42" }]);
  });

  it("says plainly when this appliance serves no dashboard", async () => {
    harness = await startBot();
    const reply = await harness.say(ALICE, "/web");
    assert.match(reply.text, /not running on this appliance/);
    assert.deepEqual(harness.test.db.sqlite.prepare("SELECT COUNT(*) AS n FROM login_links").get(), { n: 0 });
  });
});

describe("dashboard phrases", () => {
  it("recognises plain requests for the dashboard", () => {
    for (const text of [
      "open the dashboard",
      "Open the dashboard!",
      "dashboard",
      "dashboard link please",
      "give me the dashboard link",
      "send me a login link",
      "web ui",
      "I want the dashboard",
      "take me to the dashboard",
      "log in to the dashboard",
    ]) {
      assert.ok(isDashboardRequest(text), text);
    }
  });

  it("leaves other sentences to the chat", () => {
    for (const text of [
      "is web running?",
      "open web",
      "show me the logs of web",
      "create a container called dashboard",
      "how do I connect to web?",
      "destroy the dashboard",
      "stop dashboard",
    ]) {
      assert.ok(!isDashboardRequest(text), text);
    }
  });
});
