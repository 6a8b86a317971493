/** User administration and admission rules: pending, allowlist, config admins, deny, limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForbiddenError, HostFailureError, NotFoundError } from "../../../src/domain/errors.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, rejection } from "./helpers.js";

const admin = actor(TEST_USERS.admin);
const newcomer = actor("telegram:7");

void describe("users", () => {
  void it("a new user is pending with a polite refusal until approved", async () => {
    const t = createTestCore();
    const refused = await rejection(t.core.list(newcomer));
    assert.ok(refused instanceof ForbiddenError);
    assert.equal(refused.reason, "pending");
    assert.match(refused.message, /waiting for an administrator's approval/);
    const approved = await t.core.approveUser(admin, "telegram:7");
    assert.equal(approved.status, "active");
    assert.deepEqual((await t.core.list(newcomer)).workloads, []);
    assert.equal(
      (t.db.sqlite.prepare("SELECT approved_by FROM users WHERE id = 'telegram:7'").get() as Record<string, unknown>)
        .approved_by,
      "local:admin",
    );
  });

  void it("a denied user is refused everything", async () => {
    const t = createTestCore();
    await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    await t.core.denyUser(admin, TEST_USERS.alice);
    for (const call of [
      t.core.list(actor(TEST_USERS.alice)),
      t.core.whoami(actor(TEST_USERS.alice)),
      t.core.stop(actor(TEST_USERS.alice), "dev"),
    ]) {
      const error = await rejection(call);
      assert.equal((error as ForbiddenError).reason, "denied");
    }
  });

  void it("admins cannot deny themselves or the local admin", async () => {
    const t = createTestCore();
    await t.core.whoami(actor(TEST_USERS.telegramAdmin));
    assert.equal((await rejection(t.core.denyUser(admin, "local:admin"))).kind, "invalid-input");
    assert.equal(
      (await rejection(t.core.denyUser(actor(TEST_USERS.telegramAdmin), TEST_USERS.telegramAdmin))).kind,
      "invalid-input",
    );
  });

  void it("unknown and malformed user ids in admin operations", async () => {
    const t = createTestCore();
    const unknown = await rejection(t.core.approveUser(admin, "telegram:555"));
    assert.ok(unknown instanceof NotFoundError);
    assert.equal(unknown.what, "user");
    assert.equal((await rejection(t.core.setUserLimits(admin, "telegram:555", { maxWorkloads: 1 }))).kind, "not-found");
    assert.equal((await rejection(t.core.approveUser(admin, "bob"))).kind, "invalid-input");
  });

  void it("setUserLimits parses sizes, validates, and the new limits are enforced", async () => {
    const t = createTestCore();
    const alice = actor(TEST_USERS.alice);
    await createReady(t.core, alice, { name: "dev" });
    const view = await t.core.setUserLimits(admin, TEST_USERS.alice, {
      diskQuota: "20G",
      memoryBudget: "2G",
      maxWorkloads: 1,
    });
    assert.equal(view.limits.diskQuotaBytes, 20 * 1024 ** 3);
    assert.equal(view.limits.memoryBudgetBytes, 2 * 1024 ** 3);
    assert.equal(view.limits.cpuBudget, 4, "unchanged limits stay");
    assert.equal(t.storage.users.get("telegram_42"), 20 * 1024 ** 3, "the new quota is applied to storage");
    assert.equal((await rejection(t.core.create(alice, { name: "web" }))).kind, "quota");
    const bad = await rejection(t.core.setUserLimits(admin, TEST_USERS.alice, { diskQuota: "lots", maxWorkloads: -1 }));
    assert.equal(bad.kind, "invalid-input");
    assert.deepEqual((bad as unknown as { issues: { path: string }[] }).issues.map((issue) => issue.path).sort(), [
      "limits.diskQuota",
      "limits.maxWorkloads",
    ]);
  });

  void it("setUserLimits sets the pids budget (at least 16) and users stored before it get the configured one", async () => {
    const t = createTestCore();
    await t.core.whoami(actor(TEST_USERS.alice));
    assert.equal((await t.core.setUserLimits(admin, TEST_USERS.alice, { pidsBudget: 2048 })).limits.pidsBudget, 2048);
    assert.equal((await t.core.setUserLimits(admin, TEST_USERS.alice, { pidsBudget: "1024" })).limits.pidsBudget, 1024);
    const bad = await rejection(t.core.setUserLimits(admin, TEST_USERS.alice, { pidsBudget: 8 }));
    assert.equal(bad.kind, "invalid-input");
    assert.match(bad.message, /at least 16 processes/);
    t.db.sqlite
      .prepare("UPDATE users SET limits_json = json_remove(limits_json, '$.pidsBudget') WHERE id = ?")
      .run(TEST_USERS.alice);
    assert.equal((await t.core.whoami(actor(TEST_USERS.alice))).limits.pidsBudget, t.policy.defaultLimits.pidsBudget);
  });

  void it("denying a user stops their running workloads, keeps their data, and audits each stop", async () => {
    const t = createTestCore();
    const alice = actor(TEST_USERS.alice);
    await createReady(t.core, alice, { name: "one" });
    await createReady(t.core, alice, { name: "two" });
    await t.core.stop(alice, "two");
    await createReady(t.core, actor(TEST_USERS.bob), { name: "bobs" });
    const stopsBefore = t.backend.calls.filter((call) => call.method === "stop").length;
    const view = await t.core.denyUser(admin, TEST_USERS.alice);
    assert.equal(view.status, "denied");
    assert.deepEqual(view.stoppedWorkloads, ["one"], "only the running one needed stopping");
    assert.equal(t.backend.containers.get("one")?.state, "stopped");
    assert.equal(t.backend.containers.get("bobs")?.state, "running", "other users' workloads keep running");
    assert.equal(t.backend.calls.filter((call) => call.method === "stop").length, stopsBefore + 1);
    assert.ok(t.storage.workspaces.has("telegram_42/one"), "data is kept");
    assert.ok(t.backend.containers.has("one"), "the container is kept");
    const desired = t.db.sqlite
      .prepare("SELECT name, desired FROM workloads WHERE owner = ? ORDER BY name")
      .all(TEST_USERS.alice);
    assert.deepEqual(desired, [
      { name: "one", desired: "stopped" },
      { name: "two", desired: "stopped" },
    ]);
    const audit = t.db.sqlite
      .prepare(
        "SELECT actor, operation, target, outcome FROM operations WHERE operation IN ('stop', 'denyUser') AND actor = ? ORDER BY id",
      )
      .all(TEST_USERS.admin);
    assert.deepEqual(audit, [
      { actor: "local:admin", operation: "stop", target: "one", outcome: "ok" },
      { actor: "local:admin", operation: "stop", target: "two", outcome: "ok" },
      { actor: "local:admin", operation: "denyUser", target: null, outcome: "ok" },
    ]);
    // Approving again gives access back; the workloads stay stopped until their owner starts them.
    await t.core.approveUser(admin, TEST_USERS.alice);
    assert.equal((await t.core.start(alice, "one")).live, "running");
  });

  void it("a failed stop during a deny is reported, and the deny stands", async () => {
    const t = createTestCore();
    const alice = actor(TEST_USERS.alice);
    await createReady(t.core, alice, { name: "one" });
    t.backend.failNext("stop", new HostFailureError("machinectl poweroff failed"));
    const view = await t.core.denyUser(admin, TEST_USERS.alice);
    assert.equal(view.status, "denied");
    assert.deepEqual(view.stoppedWorkloads, []);
    assert.equal(view.stopFailures?.[0]?.workload, "one");
    assert.equal((await rejection(t.core.list(alice))).kind, "forbidden");
  });

  void it("an admin impersonating a pending user approves them (audited, naming the admin); a denied user stays denied", async () => {
    const t = createTestCore();
    const first = await t.core.impersonate(admin, "telegram:7");
    assert.deepEqual([first.approved, first.user.status], [true, "active"]);
    assert.equal(
      (t.db.sqlite.prepare("SELECT approved_by FROM users WHERE id = 'telegram:7'").get() as Record<string, unknown>)
        .approved_by,
      "local:admin",
    );
    assert.equal((await t.core.impersonate(admin, "telegram:7")).approved, false, "already active: nothing to approve");
    await t.core.whoami(actor(TEST_USERS.alice));
    await t.core.denyUser(admin, TEST_USERS.alice);
    const denied = await t.core.impersonate(admin, TEST_USERS.alice);
    assert.deepEqual([denied.approved, denied.user.status], [false, "denied"]);
    assert.equal(((await rejection(t.core.list(actor(TEST_USERS.alice)))) as ForbiddenError).reason, "denied");
    const audited = t.db.sqlite
      .prepare("SELECT COUNT(*) AS n FROM operations WHERE operation = 'impersonate'")
      .get() as { n: number };
    assert.equal(audited.n, 3);
    assert.equal((await rejection(t.core.impersonate(admin, "not a user id"))).kind, "invalid-input");
  });

  void it("listAdmins names the active admins, and a pending newcomer may ask (it is how their request reaches someone)", async () => {
    const t = createTestCore();
    await t.core.whoami(actor(TEST_USERS.telegramAdmin));
    const admins = await t.core.listAdmins(newcomer);
    assert.ok(admins.includes(TEST_USERS.telegramAdmin));
    assert.ok(!admins.includes("telegram:7"));
    await t.core.denyUser(admin, "telegram:7");
    assert.equal(((await rejection(t.core.listAdmins(newcomer))) as ForbiddenError).reason, "denied");
  });

  void it("listUsers shows everyone with workload counts", async () => {
    const t = createTestCore();
    await createReady(t.core, actor(TEST_USERS.alice), { name: "dev" });
    await t.core.whoami(newcomer);
    const users = await t.core.listUsers(admin);
    const byId = new Map(users.map((user) => [user.id, user]));
    assert.equal(byId.get(TEST_USERS.alice)?.workloads, 1);
    assert.equal(byId.get("telegram:7")?.status, "pending");
    assert.equal(byId.get("local:admin")?.role, "admin");
  });

  void it("a user added to the allowlist or admins later is promoted on next contact", async () => {
    const first = createTestCore();
    await first.core.whoami(newcomer);
    const later = createTestCore({ db: first.db, policy: { allowlist: ["telegram:7"] } });
    assert.equal((await later.core.whoami(newcomer)).status, "active");
    const promoted = createTestCore({ db: first.db, policy: { admins: ["telegram:7"] } });
    assert.equal((await promoted.core.whoami(newcomer)).role, "admin");
  });
});

void describe("display names", () => {
  void it("keeps the informational display name current", async () => {
    const t = createTestCore();
    await t.core.whoami({ userId: TEST_USERS.alice, displayName: "Alice" });
    assert.equal((await t.core.whoami({ userId: TEST_USERS.alice, displayName: "Alice B." })).displayName, "Alice B.");
    assert.equal((await t.core.whoami({ userId: TEST_USERS.alice })).displayName, "Alice B.");
  });
});
