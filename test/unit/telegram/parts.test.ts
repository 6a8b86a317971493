import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCommand, targetUserId } from "../../../src/adapters/telegram/commands.js";
import { ConfirmationButtons, CONFIRM_PATTERN } from "../../../src/adapters/telegram/confirmations.js";
import { actorOf, privateChatIdOf } from "../../../src/adapters/telegram/identity.js";
import { describeError, GENERIC_FAILURE } from "../../../src/adapters/telegram/on-error.js";
import { planHtml } from "../../../src/adapters/telegram/format.js";
import { explainError } from "../../../src/api/error-wording.js";
import { ForbiddenError, HostFailureError, NotFoundError } from "../../../src/domain/errors.js";
import { FakeClock } from "../../fakes/fake-clock.js";

describe("identity", () => {
  it("takes the actor from from.id, never from text, and ignores bots", () => {
    assert.deepEqual(actorOf({ id: 42, is_bot: false, first_name: "Alice", last_name: "A" }), {
      userId: "telegram:42",
      displayName: "Alice A",
    });
    assert.equal(actorOf({ id: 7, is_bot: true, first_name: "otherbot" }), undefined);
    assert.equal(actorOf(undefined), undefined);
  });
  it("maps only Telegram users to private chat ids", () => {
    assert.equal(privateChatIdOf("telegram:42"), 42);
    assert.equal(privateChatIdOf("local:admin"), undefined);
    assert.equal(privateChatIdOf("web:42"), undefined);
  });
});

describe("parseCommand", () => {
  it("parses commands, bot mentions and arguments", () => {
    assert.deepEqual(parseCommand("/approve 123", "voxbot"), { name: "approve", args: "123" });
    assert.deepEqual(parseCommand("/List@VoxBot", "voxbot"), { name: "list", args: "" });
    assert.equal(parseCommand("/list@someotherbot", "voxbot"), undefined, "a command for another bot is not ours");
    assert.equal(parseCommand("list my containers", "voxbot"), undefined);
  });
  it("accepts numeric and channel-qualified targets only", () => {
    assert.equal(targetUserId("123"), "telegram:123");
    assert.equal(targetUserId("telegram:5"), "telegram:5");
    assert.equal(targetUserId("<script>"), undefined);
    assert.equal(targetUserId(""), undefined);
  });
});

describe("ConfirmationButtons", () => {
  const confirmation = (expiresAt: Date) => ({
    token: "t".repeat(120),
    plan: { workload: "web", removes: ["the <container>"], keeps: [] },
    expiresAt,
  });

  it("keeps long tokens server-side: callback data is short and carries no token", () => {
    const clock = new FakeClock();
    const buttons = new ConfirmationButtons(clock);
    const { keyboard } = buttons.register(
      "telegram:42",
      confirmation(new Date(clock.now().getTime() + 60_000)),
      "plan",
    );
    const data = keyboard.inline_keyboard
      .flat()
      .map((button) => ("callback_data" in button ? button.callback_data : ""));
    for (const value of data) {
      assert.ok(Buffer.byteLength(value) <= 64);
      assert.match(value, CONFIRM_PATTERN);
      assert.ok(!value.includes("ttt"));
    }
  });

  it("resolves only for the owner, once, and reports expiry", () => {
    const clock = new FakeClock();
    const buttons = new ConfirmationButtons(clock);
    const { id, keyboard } = buttons.register(
      "telegram:42",
      confirmation(new Date(clock.now().getTime() + 60_000)),
      "plan",
    );
    assert.equal(
      CONFIRM_PATTERN.exec((keyboard.inline_keyboard[0]![0] as { callback_data: string }).callback_data)![2],
      id,
    );
    assert.deepEqual(buttons.resolve(id, "telegram:43"), { outcome: "not-yours" });
    const resolved = buttons.resolve(id, "telegram:42");
    assert.equal(resolved.outcome, "ok");
    assert.equal(resolved.outcome === "ok" && resolved.token, "t".repeat(120));
    assert.deepEqual(
      buttons.resolve(id, "telegram:42"),
      { outcome: "answered" },
      "single use; a second press is recognised as answered",
    );
    assert.deepEqual(buttons.resolve("never-issued", "telegram:42"), { outcome: "unknown" });

    const { id: laterId } = buttons.register(
      "telegram:42",
      confirmation(new Date(clock.now().getTime() + 60_000)),
      "plan",
    );
    clock.advance(61_000);
    assert.equal(buttons.resolve(laterId, "telegram:42").outcome, "expired");
  });

  it("escapes the plan", () => {
    const html = planHtml(confirmation(new Date(Date.parse("2026-01-01T00:05:00Z"))), new Date("2026-01-01T00:00:00Z"));
    assert.ok(html.includes("the &lt;container&gt;"));
    assert.match(html, /within 5 minutes/);
  });
});

describe("describeError", () => {
  it("uses the chat's words for each kind (one wording per chat) and never the host detail", () => {
    const failure = new HostFailureError("The container could not start.", "systemd-nspawn: stderr /var/lib/secret");
    const text = describeError(failure);
    assert.equal(text, explainError(failure));
    assert.match(text, /could not start/);
    assert.doesNotMatch(text, /secret|stderr/);
    const missing = new NotFoundError("workload", "web", 'You have no workload called "web".');
    assert.equal(describeError(missing), explainError(missing));
    assert.equal(describeError(new ForbiddenError("pending", "x")), explainError(new ForbiddenError("pending", "x")));
  });
  it("hides unexpected errors behind a generic apology", () => {
    assert.equal(describeError(new TypeError("Cannot read properties of undefined (reading 'x')")), GENERIC_FAILURE);
  });
});
