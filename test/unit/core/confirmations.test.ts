/** Destroy confirmation tokens: bound to actor and plan, single use, expiring. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError, NotFoundError } from "../../../src/domain/errors.js";
import { sha256 } from "../../../src/core/confirmations.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, destroyFully, destroyToken, rejection } from "./helpers.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const admin = actor(TEST_USERS.admin);

async function setup() {
  const t = createTestCore();
  await createReady(t.core, alice, { name: "dev" });
  return t;
}

void describe("destroy confirmations", () => {
  void it("destroy never destroys: it returns a plan and a token, and the workload stays", async () => {
    const t = await setup();
    const request = await destroyToken(t.core, alice, "dev");
    assert.equal(request.plan.workload, "dev");
    assert.ok(request.plan.removes.some((line) => line.includes('container "dev"')));
    assert.ok(request.plan.keeps.some((line) => line.includes("snapshot of /workspace") && line.includes("24 hours")));
    assert.equal(request.expiresAt.getTime(), t.clock.now().getTime() + 5 * 60_000);
    assert.ok(t.backend.containers.has("dev"));
    assert.equal(t.backend.injector.callsOf("destroy").length, 0);
  });

  void it("stores only a hash of the token", async () => {
    const t = await setup();
    const { token } = await destroyToken(t.core, alice, "dev");
    const rows = t.db.sqlite.prepare("SELECT token_hash FROM confirmations").all() as { token_hash: string }[];
    assert.deepEqual(rows, [{ token_hash: sha256(token) }]);
    assert.ok(
      !JSON.stringify(t.db.sqlite.prepare("SELECT * FROM operations").all()).includes(token),
      "the audit log never holds the token",
    );
  });

  void it("the audit log holds a destroy as a plan and a confirmation, both ok, and a dry run as a dry run", async () => {
    const t = await setup();
    await t.core.plan(alice, { operation: "destroy", name: "dev" });
    await destroyFully(t.core, alice, "dev");
    const { entries } = await t.core.auditLog(admin, { workload: "dev" });
    const records = [...entries]
      .reverse()
      .filter((entry) => entry.operation !== "create")
      .map((entry) => ({
        operation: entry.operation,
        outcome: entry.outcome,
        errorKind: entry.errorKind,
        args: entry.args,
        job: entry.jobId !== undefined,
      }));
    assert.deepEqual(records, [
      {
        operation: "destroy",
        outcome: "ok",
        errorKind: undefined,
        args: { name: "dev", dryRun: true, answered: "planned" },
        job: false,
      },
      {
        operation: "destroy",
        outcome: "ok",
        errorKind: undefined,
        args: { name: "dev", answered: "needs-confirmation" },
        job: false,
      },
      { operation: "confirm", outcome: "ok", errorKind: undefined, args: { token: "***" }, job: true },
    ]);
  });

  void it("the owner's confirmation destroys; the name is free again", async () => {
    const t = await setup();
    const result = await destroyFully(t.core, alice, "dev");
    assert.equal(result.workload, "dev");
    assert.deepEqual(result.warnings, []);
    assert.ok(!t.backend.containers.has("dev"));
    assert.equal(t.storage.workspaces.size, 0);
    await createReady(t.core, bob, { name: "dev" });
  });

  void it("another actor's confirmation is refused, exactly like an unknown token, and leaves the token usable", async () => {
    const t = await setup();
    const { token } = await destroyToken(t.core, alice, "dev");
    const byBob = await rejection(t.core.confirm(bob, token));
    const byAdmin = await rejection(t.core.confirm(admin, token));
    const unknown = await rejection(t.core.confirm(alice, "abcdefghijklmnopqrstuvwx"));
    for (const error of [byBob, byAdmin, unknown]) {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.what, "confirmation");
      assert.equal(error.message, unknown.message);
    }
    assert.ok(t.backend.containers.has("dev"));
    await (await t.core.confirm(alice, token)).wait();
    assert.ok(!t.backend.containers.has("dev"));
  });

  void it("a replayed token is refused", async () => {
    const t = await setup();
    const { token } = await destroyToken(t.core, alice, "dev");
    await (await t.core.confirm(alice, token)).wait();
    await createReady(t.core, alice, { name: "dev" });
    const replay = await rejection(t.core.confirm(alice, token));
    assert.ok(replay instanceof NotFoundError);
    assert.ok(t.backend.containers.has("dev"), "the new dev survives the replay");
  });

  void it("an expired token is refused", async () => {
    const t = await setup();
    const { token } = await destroyToken(t.core, alice, "dev");
    t.clock.advance(5 * 60_000);
    const error = await rejection(t.core.confirm(alice, token));
    assert.ok(error instanceof NotFoundError);
    assert.ok(t.backend.containers.has("dev"));
  });

  void it("a token just before expiry works; TTL comes from policy", async () => {
    const t = createTestCore({ policy: { confirmationTtlMs: 60_000 } });
    await createReady(t.core, alice, { name: "dev" });
    const { token, expiresAt } = await destroyToken(t.core, alice, "dev");
    assert.equal(expiresAt.getTime() - t.clock.now().getTime(), 60_000);
    t.clock.advance(59_999);
    await (await t.core.confirm(alice, token)).wait();
  });

  void it("a changed plan is refused with plan-changed", async () => {
    const t = await setup();
    const stale = await destroyToken(t.core, alice, "dev");
    await destroyFully(t.core, alice, "dev");
    await createReady(t.core, alice, { name: "dev", modules: ["git"], workspace: { enabled: false } });
    const error = await rejection(t.core.confirm(alice, stale.token));
    assert.ok(error instanceof ConflictError);
    assert.equal(error.reason, "plan-changed");
    assert.ok(t.backend.containers.has("dev"));
  });

  void it("refuses malformed tokens as invalid input", async () => {
    const t = await setup();
    assert.equal((await rejection(t.core.confirm(alice, "x y"))).kind, "invalid-input");
  });

  void it("reports storage cleanup failures and logout failures as warnings, never hides them", async () => {
    const t = await setup();
    t.backend.destroyWarnings = ["Tailscale logout failed: the container was stopped."];
    t.storage.failNext("deleteWorkspace", new Error("device busy"));
    const result = await destroyFully(t.core, alice, "dev");
    assert.equal(result.warnings.length, 2);
    assert.match(result.warnings[0] ?? "", /Tailscale logout failed/);
    assert.match(result.warnings[1] ?? "", /workspace of "dev" could not be deleted.*device busy/);
  });

  void it("a failed backend destroy keeps the workload (status failed) and its snapshot", async () => {
    const t = await setup();
    const { token } = await destroyToken(t.core, alice, "dev");
    t.backend.failNext("destroy", new Error("machinectl hung"));
    const handle = await t.core.confirm(alice, token);
    assert.equal((await rejection(handle.wait())).kind, "host-failure");
    const shown = workloadOf(await t.core.show(alice, "dev"));
    assert.equal(shown.status, "failed");
    assert.equal((await t.core.job(alice, handle.id)).state, "failed");
    await destroyFully(t.core, alice, "dev");
    assert.ok(!t.backend.containers.has("dev"));
  });
});
