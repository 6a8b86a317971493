/** Lifecycle and read operations: start/stop/restart, list, show, logs, storage, exec, doctor, images, audit. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, destroyFully, rejection } from "./helpers.js";
import {
  OPERATION_NAMES,
  OPERATIONS,
  operationPolicy,
  type PlannableOperation,
} from "../../../src/domain/operations.js";
import type { PlanRequest } from "../../../src/api/outcome.js";
import { ED25519, RSA_2048 } from "../../fakes/fixture-ssh-keys.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const admin = actor(TEST_USERS.admin);

void describe("lifecycle", () => {
  void it("stop and start update desired state and live state; start mounts the workspace first", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev", remoteAccess: true });
    const stopped = workloadOf(await t.core.stop(alice, "dev"));
    assert.equal(stopped.desired, "stopped");
    assert.equal(stopped.live, "stopped");
    assert.equal(workloadOf(await t.core.stop(alice, "dev")).live, "stopped", "stopping a stopped workload succeeds");
    const started = workloadOf(await t.core.start(alice, "dev"));
    assert.equal(started.desired, "running");
    assert.equal(started.live, "running");
    const methods = t.storage.calls.map((call) => call.method);
    assert.equal(methods.at(-1), "ensureWorkspaceMounted");
    const startHost = t.backend.injector.callsOf("start")[0]!.args[1] as Record<string, unknown>;
    assert.equal(startHost.workspaceHostPath, "/fake/storage/telegram_42/dev");
    assert.equal(startHost.remoteAccessKeyFile, "/fake/keys/dev.key");
  });

  void it("restart stops then starts, mounting the workspace", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    workloadOf(await t.core.stop(alice, "dev"));
    const view = await t.core.restart(alice, "dev");
    assert.equal(view.desired, "running");
    assert.equal(view.live, "running");
    assert.equal(t.storage.injector.callsOf("ensureWorkspaceMounted").length, 1);
  });

  void it("a backend failure on start is reported as host-failure and desired is unchanged", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    workloadOf(await t.core.stop(alice, "dev"));
    t.backend.failNext("start", new Error("unit failed"));
    const error = await rejection(t.core.start(alice, "dev"));
    assert.equal(error.kind, "host-failure");
    assert.equal(workloadOf(await t.core.show(alice, "dev")).desired, "stopped");
  });

  void it("others' workloads and missing ones give the identical answer", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    for (const call of [
      (name: string) => t.core.show(bob, name),
      (name: string) => t.core.stop(bob, name),
      (name: string) => t.core.destroy(bob, name),
    ]) {
      const hidden = await rejection(call("dev"));
      const missing = await rejection(call("nope"));
      assert.equal(hidden.kind, "not-found");
      assert.equal(hidden.message.replace('"dev"', '"X"'), missing.message.replace('"nope"', '"X"'));
    }
    assert.equal(t.backend.injector.callsOf("stop").length, 0);
  });
});

void describe("dry runs", () => {
  void it("every row with plan: true answers a plan through Core.plan, touching nothing; others have none", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "gone" });
    await destroyFully(t.core, alice, "gone");
    // The host lost dev's process (a reboot): autostart has something to plan; reconcile has a stranger.
    t.backend.containers.get("dev")!.state = "stopped";
    t.backend.addUnmanaged("stray");
    const callsBefore = t.backend.injector.calls.length;
    const timers = () => t.db.sqlite.prepare("SELECT * FROM idle_timers ORDER BY workload").all();
    const timersBefore = timers();
    t.clock.advance(60_000);
    const requests: Record<PlannableOperation, PlanRequest> = {
      create: { operation: "create", input: { name: "fresh" } },
      start: { operation: "start", name: "dev" },
      stop: { operation: "stop", name: "dev" },
      restart: { operation: "restart", name: "dev" },
      destroy: { operation: "destroy", name: "dev" },
      change: { operation: "change", name: "dev", change: { cpus: 0.5 } },
      restore: { operation: "restore", name: "gone" },
      keep: { operation: "keep", name: "dev" },
      setIdleTimeout: { operation: "setIdleTimeout", name: "dev", timeout: "2h" },
      autostart: { operation: "autostart" },
      buildImages: { operation: "buildImages" },
      reconcile: { operation: "reconcile" },
      approveUser: { operation: "approveUser", userId: TEST_USERS.pending },
      denyUser: { operation: "denyUser", userId: TEST_USERS.alice },
      setUserLimits: { operation: "setUserLimits", userId: TEST_USERS.alice, limits: { diskQuota: "20G" } },
      createApiToken: { operation: "createApiToken", userId: "web:newcomer" },
      revokeApiToken: { operation: "revokeApiToken", id: "" },
      addSshKey: { operation: "addSshKey", publicKey: ED25519 },
      removeSshKey: { operation: "removeSshKey", fingerprint: "" },
      confirm: { operation: "confirm", token: "" },
      createLoginLink: { operation: "createLoginLink" },
      openSession: { operation: "openSession", name: "dev", command: { kind: "argv", argv: ["uname", "-a"] } },
    };
    await t.core.whoami(actor(TEST_USERS.pending));
    await t.core.whoami(admin);
    const { id: tokenId } = await t.core.createApiToken(admin, TEST_USERS.alice);
    requests.revokeApiToken = { operation: "revokeApiToken", id: tokenId };
    const tokensBefore = t.db.sqlite.prepare("SELECT * FROM api_tokens").all();
    const { fingerprint } = await t.core.addSshKey(alice, { publicKey: RSA_2048 });
    requests.removeSshKey = { operation: "removeSshKey", fingerprint };
    const keysBefore = t.db.sqlite.prepare("SELECT * FROM ssh_keys").all();
    const { token } = await t.core.destroy(alice, "dev");
    requests.confirm = { operation: "confirm", token };
    const confirmationsBefore = t.db.sqlite.prepare("SELECT * FROM confirmations").all();
    const usersBefore = t.db.sqlite.prepare("SELECT * FROM users ORDER BY id").all();
    for (const name of OPERATION_NAMES.filter((operation) => operationPolicy(operation).plan === true)) {
      const planned = await t.core.plan(
        OPERATIONS[name].risk === "admin" ? admin : alice,
        requests[name as PlannableOperation],
      );
      assert.equal(planned.type, "planned", name);
      assert.equal(planned.plan.operation, name);
      assert.ok(planned.plan.steps.length > 0, `${name} lists its steps`);
    }
    assert.deepEqual(
      t.backend.injector.calls
        .slice(callsBefore)
        .filter((call) => !["info", "list", "show", "plan"].includes(call.method)),
      [],
      "no runtime change",
    );
    assert.deepEqual(timers(), timersBefore, "no inactivity timer reset or set");
    assert.deepEqual(t.db.sqlite.prepare("SELECT * FROM users ORDER BY id").all(), usersBefore, "no user changed");
    assert.deepEqual(t.db.sqlite.prepare("SELECT * FROM api_tokens").all(), tokensBefore, "no token made or revoked");
    assert.deepEqual(t.db.sqlite.prepare("SELECT * FROM ssh_keys").all(), keysBefore, "no key added or removed");
    assert.deepEqual(t.db.sqlite.prepare("SELECT * FROM confirmations").all(), confirmationsBefore, "no token used");
    assert.equal(t.backend.containers.get("dev")?.state, "stopped", "denying alice in a dry run stopped nothing");
    assert.equal(
      (await t.core.confirm(alice, token).then((job) => job.wait())).workload,
      "dev",
      "the token still works",
    );
    assert.equal(
      (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM login_links").get() as { n: number }).n,
      0,
      "no login link made",
    );
    for (const operation of ["exec", "listUsers", "openShell"]) {
      const refused = await rejection(t.core.plan(alice, { operation } as never));
      assert.equal(refused.kind, "invalid-input", operation);
    }
  });
});

void describe("reads", () => {
  void it("list shows own workloads to users, everything plus unmanaged to admins, with one backend call", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, bob, { name: "web" });
    t.backend.addUnmanaged("legacy", "stopped");
    const before = t.backend.injector.callsOf("list").length;
    const showsBefore = t.backend.injector.callsOf("show").length;
    const own = await t.core.list(alice);
    assert.deepEqual(
      own.workloads.map((view) => view.name),
      ["dev"],
    );
    assert.equal(own.unmanaged, undefined, "users never see unmanaged containers");
    const all = await t.core.list(admin);
    assert.deepEqual(
      all.workloads.map((view) => view.name),
      ["dev", "web"],
    );
    assert.deepEqual(all.unmanaged, [{ name: "legacy", state: "stopped" }]);
    assert.equal(t.backend.injector.callsOf("list").length - before, 2);
    assert.equal(t.backend.injector.callsOf("show").length, showsBefore, "list makes no per-workload calls");
  });

  void it("a workload the host lost is shown as missing", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    t.backend.containers.delete("dev");
    assert.equal((await t.core.list(alice)).workloads[0]?.live, "missing");
    assert.deepEqual((await t.core.reconcile(admin)).missing, ["dev"]);
  });

  void it("show has live facts and workspace usage", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    t.storage.write("telegram_42", "dev", 4096);
    const details = workloadOf(await t.core.show(alice, "dev"));
    assert.equal(details.storage?.usedBytes, 4096);
    assert.deepEqual(details.addresses, ["10.231.0.2"]);
    const forAdmin = workloadOf(await t.core.show(admin, "dev"));
    assert.equal(forAdmin.owner, TEST_USERS.alice);
    assert.equal(forAdmin.facts.unit, "fake@dev.service");
    assert.equal(forAdmin.facts.nspawnPid, "4242");
    assert.equal(forAdmin.facts.root, "/var/lib/voxnix/nspawn/machines/dev/root");
  });

  void it("show gives the owner no host paths, pids, cgroups or units; the admin gets them", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const details = workloadOf(await t.core.show(alice, "dev"));
    assert.deepEqual(details.facts, { storage: "btrfs snapshot", memoryBytes: "1048576" });
    assert.doesNotMatch(JSON.stringify(details), /\/var\/lib|\/sys\/fs\/cgroup|\/run\/|4242|4243/);
    assert.equal(Object.keys(workloadOf(await t.core.show(admin, "dev")).facts).length, 8);
  });

  void it("logs are clamped to 1..1000 lines, default 50", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    assert.equal((await t.core.logs(alice, "dev")).length, 50);
    assert.equal((await t.core.logs(alice, "dev", { lines: 5000 })).length, 1000);
    assert.equal((await t.core.logs(alice, "dev", { lines: 0 })).length, 1);
    assert.equal((await t.core.logs(alice, "dev", { lines: Number.NaN })).length, 50);
  });

  void it("storage reports usage against the quota, per workspace", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "web" });
    t.storage.write("telegram_42", "dev", 100);
    t.storage.write("telegram_42", "web", 50);
    const report = await t.core.storage(alice);
    assert.equal(report.user, TEST_USERS.alice);
    assert.equal(report.quotasEnforced, true);
    assert.equal(report.usage.usedBytes, 150);
    assert.equal(report.usage.quotaBytes, 10 * 1024 ** 3);
    assert.deepEqual(
      report.workspaces.map((entry) => [entry.workload, entry.usage.usedBytes]),
      [
        ["dev", 100],
        ["web", 50],
      ],
    );
    assert.deepEqual((await t.core.storage(bob)).workspaces, []);
  });

  void it("the fake storage enforces the quota like a real file system", async () => {
    const t = createTestCore({
      policy: {
        defaultLimits: {
          diskQuotaBytes: 1000,
          maxWorkloads: 5,
          cpuBudget: 4,
          memoryBudgetBytes: 8 * 1024 ** 3,
          pidsBudget: 4096,
        },
      },
    });
    await createReady(t.core, alice, { name: "dev" });
    t.storage.write("telegram_42", "dev", 900);
    assert.throws(() => t.storage.write("telegram_42", "dev", 200), /quota exceeded/);
  });

  void it("whoami registers on first contact and counts workloads", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const me = await t.core.whoami({ userId: TEST_USERS.alice, displayName: "Alice" });
    assert.equal(me.workloads, 1);
    assert.equal(me.status, "active");
    const newcomer = await t.core.whoami({ userId: "telegram:7", displayName: "Newcomer" });
    assert.equal(newcomer.status, "pending");
    assert.equal(newcomer.displayName, "Newcomer");
    assert.equal((await t.core.whoami(admin)).role, "admin");
    assert.equal((await t.core.whoami(actor(TEST_USERS.telegramAdmin))).role, "admin");
  });

  void it("modules lists the catalog entries the backend provides", async () => {
    const { FakeRuntime } = await import("../../fakes/fake-runtime.js");
    const t = createTestCore({ backend: new FakeRuntime({ modules: ["git", "fish", "workspace"] }) });
    assert.deepEqual(
      t.core.modules().map((module) => module.name),
      ["fish", "git", "workspace"],
    );
  });
});

void describe("exec, doctor, images", () => {
  void it("exec runs argv in the workload with a 60 s default timeout", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const result = await t.core.exec(alice, { name: "dev", argv: ["echo", "hi there"] });
    assert.equal(result.stdout, "echo hi there\n");
    const options = t.backend.injector.callsOf("exec")[0]!.args[2] as { timeoutMs: number };
    assert.equal(options.timeoutMs, 60_000);
    assert.equal((await rejection(t.core.exec(alice, { name: "dev", argv: [] }))).kind, "invalid-input");
    assert.equal(
      (await rejection(t.core.exec(alice, { name: "dev", argv: ["ls"], timeoutMs: -1 }))).kind,
      "invalid-input",
    );
  });

  void it("doctor is ok only when the backend checks pass", async () => {
    const t = createTestCore();
    const good = await t.core.doctor(admin);
    assert.equal(good.ok, true);
    assert.ok(good.checks.some((check) => check.name === "fake-storage"));
    t.backend.doctorChecks = [
      { name: "machinectl", ok: false, detail: "missing", fix: "apt-get install systemd-container" },
    ];
    assert.equal((await t.core.doctor(admin)).ok, false);
    t.backend.failNext("doctor", new Error("crashed"));
    const crashed = await t.core.doctor(admin);
    assert.equal(crashed.ok, false);
    assert.match(crashed.checks[0]?.detail ?? "", /crashed/);
  });

  void it("buildImages passes progress through", async () => {
    const t = createTestCore();
    const steps: string[] = [];
    const report = await t.core.buildImages(admin, {
      onProgress: (event) => event.type === "step" && steps.push(event.step),
    });
    assert.deepEqual(steps, ["building", "done"]);
    assert.equal(report.images[0]?.name, "fake-base");
  });
});

void describe("audit", () => {
  void it("records who, what, target, redacted args, outcome, error kind and duration", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await rejection(t.core.show(bob, "dev"));
    await rejection(t.core.confirm(alice, "secret-token-value-123"));
    const rows = t.db.sqlite
      .prepare(
        "SELECT actor, operation, target, args_json, outcome, error_kind, duration_ms FROM operations ORDER BY id",
      )
      .all() as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((row) => [row.actor, row.operation, row.target, row.outcome, row.error_kind]),
      [
        ["telegram:42", "create", "dev", "ok", null],
        ["telegram:43", "show", "dev", "error", "not-found"],
        ["telegram:42", "confirm", null, "error", "not-found"],
      ],
    );
    assert.equal(rows[2]?.args_json, '{"token":"***"}');
    assert.ok(rows.every((row) => typeof row.duration_ms === "number" && row.duration_ms >= 0));
  });
});
