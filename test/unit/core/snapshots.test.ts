/** Snapshot on destroy, restore within the undo window, expiry and pruning. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError, NotFoundError } from "../../../src/domain/errors.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, destroyFully, rejection } from "./helpers.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const HOUR = 3_600_000;

void describe("snapshots and restore", () => {
  void it("destroy snapshots /workspace and restore brings the data and spec back", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, {
      name: "dev",
      modules: ["git", "code-server"],
      moduleOptions: { "code-server": { port: 9000 } },
    });
    t.storage.write("telegram_42", "dev", 1234);
    const result = await destroyFully(t.core, alice, "dev");
    assert.ok(result.snapshot);
    assert.equal(result.snapshot.expiresAt.getTime(), t.clock.now().getTime() + 24 * HOUR);
    assert.equal(t.storage.snapshots.size, 1);
    assert.equal((await t.core.storage(alice)).snapshots.length, 1);

    t.clock.advance(23 * HOUR);
    const handle = await t.core.restore(alice, "dev");
    const view = await handle.wait();
    assert.equal(view.status, "ready");
    assert.equal(view.spec.moduleOptions["code-server"]?.port, 9000);
    assert.equal(t.storage.workspaces.get("telegram_42/dev")?.usedBytes, 1234, "the workspace data came back");
    assert.equal(t.storage.snapshots.size, 0, "a restored snapshot is deleted from storage");
    assert.deepEqual((await t.core.storage(alice)).snapshots, []);
    assert.equal((await t.core.job(alice, handle.id)).kind, "restore");
  });

  void it("restore after the undo window is not found, and the snapshot is pruned", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await destroyFully(t.core, alice, "dev");
    t.clock.advance(24 * HOUR);
    const error = await rejection(t.core.restore(alice, "dev"));
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.what, "snapshot");
    assert.equal(t.storage.snapshots.size, 0);
    assert.deepEqual(t.db.sqlite.prepare("SELECT state FROM snapshots").all(), [{ state: "pruned" }]);
  });

  void it("the undo window comes from policy", async () => {
    const t = createTestCore({ policy: { undoWindowMs: HOUR } });
    await createReady(t.core, alice, { name: "dev" });
    const result = await destroyFully(t.core, alice, "dev");
    assert.equal(result.snapshot!.expiresAt.getTime() - result.snapshot!.createdAt.getTime(), HOUR);
  });

  void it("reconcile prunes expired snapshots and counts them", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "web" });
    await destroyFully(t.core, alice, "dev");
    t.clock.advance(12 * HOUR);
    await destroyFully(t.core, alice, "web");
    t.clock.advance(13 * HOUR);
    const report = await t.core.reconcile(actor(TEST_USERS.admin));
    assert.equal(report.prunedSnapshots, 1);
    assert.equal(t.storage.snapshots.size, 1, "web's snapshot is still in its window");
    assert.deepEqual(
      (await t.core.storage(alice)).snapshots.map((snapshot) => snapshot.workload),
      ["web"],
    );
  });

  void it("expired snapshots are pruned opportunistically when a core starts", async () => {
    const first = createTestCore();
    await createReady(first.core, alice, { name: "dev" });
    await destroyFully(first.core, alice, "dev");
    first.clock.advance(25 * HOUR);
    const second = createTestCore({ db: first.db, backend: first.backend, storage: first.storage, clock: first.clock });
    await second.core.idle();
    assert.equal(first.storage.snapshots.size, 0);
  });

  void it("a failing prune is retried later and does not break the operation", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await destroyFully(t.core, alice, "dev");
    t.clock.advance(25 * HOUR);
    t.storage.failNext("deleteSnapshot", new Error("busy"));
    assert.equal((await t.core.reconcile(actor(TEST_USERS.admin))).prunedSnapshots, 0);
    assert.equal((await t.core.reconcile(actor(TEST_USERS.admin))).prunedSnapshots, 1);
  });

  void it("restore needs the name to be free", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await destroyFully(t.core, alice, "dev");
    await createReady(t.core, bob, { name: "dev" });
    const error = await rejection(t.core.restore(alice, "dev"));
    assert.ok(error instanceof ConflictError);
    assert.equal(error.reason, "name-taken");
    assert.doesNotMatch(error.message, /telegram:43|bob/);
    assert.equal(t.storage.snapshots.size, 1, "the snapshot is still kept");
  });

  void it("another user's snapshot is invisible", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await destroyFully(t.core, alice, "dev");
    const error = await rejection(t.core.restore(bob, "dev"));
    assert.ok(error instanceof NotFoundError);
    assert.deepEqual((await t.core.storage(bob)).snapshots, []);
  });

  void it("a workload without a workspace is restored from its recorded settings", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", modules: ["git"], workspace: { enabled: false } });
    const result = await destroyFully(t.core, alice, "dev");
    assert.equal(result.snapshot, undefined);
    const view = await (await t.core.restore(alice, "dev")).wait();
    assert.deepEqual(view.spec.modules, ["git"]);
  });

  void it("a failed restore rolls back and keeps the snapshot for another try", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await destroyFully(t.core, alice, "dev");
    t.backend.failNext("create", new Error("boot timeout"));
    const handle = await t.core.restore(alice, "dev");
    await rejection(handle.wait());
    assert.equal(t.storage.workspaces.size, 0);
    assert.equal(t.storage.snapshots.size, 1);
    await (await t.core.restore(alice, "dev")).wait();
    assert.ok(t.backend.containers.has("dev"));
  });
});
