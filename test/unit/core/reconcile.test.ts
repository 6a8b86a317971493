/** Reconcile: missing, unmanaged, orphan leases, stale locks. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "./helpers.js";

const admin = actor(TEST_USERS.admin);
const alice = actor(TEST_USERS.alice);

void describe("reconcile", () => {
  void it("reports missing and unmanaged containers with a single backend.list call", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "web" });
    t.backend.containers.delete("web");
    t.backend.addUnmanaged("legacy");
    const lists = t.backend.injector.callsOf("list").length;
    const report = await t.core.reconcile(admin);
    assert.deepEqual(report.missing, ["web"]);
    assert.deepEqual(report.unmanaged, [{ name: "legacy", state: "running" }]);
    assert.deepEqual(report.recovered, []);
    assert.equal(t.backend.injector.callsOf("list").length - lists, 1);
    assert.ok(t.backend.containers.has("legacy"), "unmanaged containers are never touched");
  });

  void it("releases leases without a workload and clears stale locks", async () => {
    const t = createTestCore({ isProcessAlive: (pid) => pid !== 4_000_002 });
    await createReady(t.core, alice, { name: "dev" });
    t.db.sqlite
      .prepare("INSERT INTO address_leases (workload, address) VALUES ('dev', '10.231.0.2'), ('ghost', '10.231.0.3')")
      .run();
    t.db.sqlite
      .prepare("INSERT INTO workload_locks (name, holder, pid, acquired_at) VALUES ('dev', 'dead', 4000002, 0)")
      .run();
    await t.core.reconcile(admin);
    assert.deepEqual(t.db.sqlite.prepare("SELECT workload FROM address_leases").all(), [{ workload: "dev" }]);
    assert.equal(
      (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workload_locks").get() as Record<string, unknown>).n,
      0,
    );
    await t.core.stop(alice, "dev");
  });

  void it("a lease its runtime left behind is freed by the next reconcile once the workload is destroyed", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    t.db.sqlite.prepare("INSERT INTO address_leases (workload, address) VALUES ('dev', '10.231.0.2')").run();
    const { destroyFully } = await import("./helpers.js");
    await destroyFully(t.core, alice, "dev");
    // The core never releases a lease itself: the runtime owns it (the fake runtime has none).
    assert.equal(
      (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM address_leases").get() as Record<string, unknown>).n,
      1,
    );
    await t.core.reconcile(admin);
    assert.equal(
      (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM address_leases").get() as Record<string, unknown>).n,
      0,
    );
  });
});
