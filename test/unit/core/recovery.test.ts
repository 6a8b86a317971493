/** Crash recovery: jobs left running by a dead process are rolled back (create, change) or finished (destroy). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createTestCore, TEST_USERS, type TestCore } from "../../fakes/core-harness.js";
import { createReady, destroyToken } from "./helpers.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const CRASHED_PID = 4_000_001;
const alive = (pid: number) => pid !== CRASHED_PID;

/** A second core over the same state, as after a restart, in which CRASHED_PID is dead. */
function restart(previous: TestCore): TestCore {
  return createTestCore({
    db: previous.db,
    backend: previous.backend,
    storage: previous.storage,
    remoteAccess: previous.remoteAccess,
    clock: previous.clock,
    isProcessAlive: alive,
  });
}

void describe("crash recovery", () => {
  void it("an interrupted create is rolled back when the next core starts, leaving nothing behind", async () => {
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    const hold = crashed.backend.hold("create");
    const handle = await crashed.core.create(alice, { name: "dev", remoteAccess: true });
    await hold.reached;
    // The process dies here, half-way through the backend's create, which had begun writing.
    crashed.backend.addUnmanaged("dev", "starting");
    assert.equal(crashed.storage.workspaces.size, 1);
    assert.equal(crashed.remoteAccess!.keyFiles.size, 1);

    const next = restart(crashed);
    await next.core.idle();
    assert.equal(next.backend.containers.size, 0, "the half-created container is destroyed");
    assert.equal(next.storage.workspaces.size, 0, "the workspace is deleted");
    assert.equal(next.remoteAccess!.keyFiles.size, 0, "the key file is removed");
    assert.deepEqual((await next.core.list(alice)).workloads, []);
    const job = await next.core.job(alice, handle.id);
    assert.equal(job.state, "interrupted");
    assert.match(job.error?.message ?? "", /rolled back/);
    await createReady(next.core, alice, { name: "dev" });
  });

  void it("reconcile reports what start-up recovery already did, instead of 'nothing to recover'", async () => {
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    const hold = crashed.backend.hold("create");
    await crashed.core.create(alice, { name: "dev" });
    await hold.reached;

    const next = restart(crashed);
    const report = await next.core.reconcile(actor(TEST_USERS.admin));
    assert.deepEqual(report.recovered, [], "start-up recovery did the work, before this reconcile");
    assert.deepEqual(report.atStartup?.recovered, [{ workload: "dev", action: "rolled back the interrupted create" }]);
    assert.equal(report.atStartup?.prunedSnapshots, 0);
    const { renderReconcile } = await import("../../../src/adapters/cli/views.js");
    const lines = renderReconcile(report);
    assert.ok(lines.includes("Recovered at start-up:"));
    assert.ok(lines.includes("  dev: rolled back the interrupted create"));
    assert.ok(!lines.includes("Nothing to recover."));
    // A process whose start-up found nothing reports no start-up section.
    assert.equal((await createTestCore().core.reconcile(actor(TEST_USERS.admin))).atStartup, undefined);
  });

  void it("recovers from a hand-made running job row with a dead pid", async () => {
    const t = createTestCore();
    await t.core.whoami(alice);
    const now = t.clock.now().getTime();
    t.db.sqlite
      .prepare(
        "INSERT INTO workloads (name, owner, backend, spec_json, status, desired, created_at, updated_at) VALUES ('web', 'telegram:42', 'fake', ?, 'creating', 'running', ?, ?)",
      )
      .run(
        JSON.stringify({
          name: "web",
          modules: ["workspace"],
          moduleOptions: {},
          workspace: { enabled: true },
          resources: { cpus: 1, memoryBytes: 1 },
          remoteAccess: false,
        }),
        now,
        now,
      );
    t.db.sqlite
      .prepare(
        "INSERT INTO jobs (id, kind, workload, owner, state, pid, started_at) VALUES ('j1', 'create', 'web', 'telegram:42', 'running', ?, ?)",
      )
      .run(CRASHED_PID, now);
    t.db.sqlite.prepare("INSERT INTO address_leases (workload, address) VALUES ('web', '10.231.0.9')").run();
    t.db.sqlite
      .prepare("INSERT INTO workload_locks (name, holder, pid, acquired_at) VALUES ('web', 'dead', ?, ?)")
      .run(CRASHED_PID, now);
    await t.storage.ensureUser("telegram_42", 1e9);
    await t.storage.createWorkspace("telegram_42", "web");

    const next = restart(t);
    await next.core.idle();
    assert.equal((next.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workloads").get() as Record<string, unknown>).n, 0);
    assert.equal(
      (next.db.sqlite.prepare("SELECT state FROM jobs WHERE id = 'j1'").get() as Record<string, unknown>).state,
      "interrupted",
    );
    assert.equal(
      (next.db.sqlite.prepare("SELECT COUNT(*) AS n FROM address_leases").get() as Record<string, unknown>).n,
      0,
    );
    assert.equal(next.storage.workspaces.size, 0);
    assert.ok(next.backend.injector.callsOf("destroy").length >= 1);
  });

  void it("an interrupted destroy is finished, with one snapshot", async () => {
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    await createReady(crashed.core, alice, { name: "dev" });
    const { token } = await destroyToken(crashed.core, alice, "dev");
    const hold = crashed.backend.hold("destroy");
    const handle = await crashed.core.confirm(alice, token);
    await hold.reached;

    const next = restart(crashed);
    await next.core.idle();
    assert.equal(next.backend.containers.size, 0);
    assert.equal(next.storage.workspaces.size, 0);
    assert.equal(next.storage.snapshots.size, 1, "the snapshot the crashed job took is reused");
    assert.equal((await next.core.job(alice, handle.id)).state, "interrupted");
    assert.equal((await next.core.storage(alice)).snapshots.length, 1);
    await (await next.core.restore(alice, "dev")).wait();
  });

  void it("an interrupted VM destroy is finished with the root disk kept once, under the crashed job's snapshot, and restorable", async () => {
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [], keepsRootDisks: true });
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true, extraRuntimes: [vms] });
    await (await crashed.core.create(alice, { kind: "vm", name: "lab" })).wait();
    const { token } = await destroyToken(crashed.core, alice, "lab");
    const hold = vms.hold("destroy");
    await crashed.core.confirm(alice, token);
    await hold.reached;

    const next = createTestCore({
      db: crashed.db,
      backend: crashed.backend,
      storage: crashed.storage,
      remoteAccess: crashed.remoteAccess,
      clock: crashed.clock,
      isProcessAlive: alive,
      extraRuntimes: [vms],
    });
    await next.core.idle();
    assert.equal(vms.keptRootDisks.size, 1, "kept once");
    const [snapshot, ...others] = (await next.core.storage(alice)).snapshots;
    assert.deepEqual(others, [], "one snapshot: the crashed job's");
    assert.ok(vms.keptRootDisks.has(snapshot!.id), "kept under that snapshot's id");
    assert.ok((snapshot!.rootDiskBytes ?? 0) > 0);
    await (await next.core.restore(alice, "lab")).wait();
    assert.equal(vms.keptRootDisks.size, 0, "discarded once the VM is back");
  });

  void it("an interrupted change is rolled back to the stored spec, started again, reported and audited", async () => {
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    await createReady(crashed.core, alice, { name: "dev", modules: ["git", "fish"] });
    const answer = await crashed.core.change(alice, "dev", { addModules: ["devtools"], cpus: 2 });
    assert.equal(answer.type, "needs-confirmation");
    if (answer.type !== "needs-confirmation") return;
    const hold = crashed.backend.hold("change");
    const handle = await crashed.core.confirm(alice, answer.token);
    await hold.reached;
    // The process dies here: the new spec half-applied, the container powered off for the restart.
    const halfway = crashed.backend.containers.get("dev")!;
    assert.equal(halfway.state, "stopped");
    assert.ok(
      halfway.spec?.modules.includes("devtools"),
      "the kill left a half-applied change (the test is meaningful)",
    );

    const next = restart(crashed);
    await next.core.idle();
    const container = next.backend.containers.get("dev")!;
    assert.deepEqual(container.spec?.modules, ["git", "fish", "workspace"], "the stored spec is applied again");
    assert.equal(container.spec?.resources.cpus, 1);
    assert.equal(container.state, "running", "its owner wants it running, so it is started again");
    const shown = workloadOf(await next.core.show(alice, "dev"));
    assert.deepEqual(shown.spec.modules, ["git", "fish", "workspace"]);
    assert.equal(shown.status, "ready");
    const job = await next.core.job(alice, handle.id);
    assert.equal(job.state, "interrupted");
    assert.equal(
      job.error?.message,
      "Interrupted; rolled back the interrupted change (applied its stored settings and started it again).",
    );
    const report = await next.core.reconcile(actor(TEST_USERS.admin));
    assert.deepEqual(report.atStartup?.recovered, [
      {
        workload: "dev",
        action: "rolled back the interrupted change (applied its stored settings and started it again)",
      },
    ]);
    const audit = next.db.sqlite
      .prepare("SELECT actor, args_json FROM operations WHERE operation = 'change' AND args_json LIKE '%recovered%'")
      .all() as { actor: string; args_json: string }[];
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor, "local:admin");
    assert.deepEqual(JSON.parse(audit[0]!.args_json), { name: "dev", recovered: true, interruptedJob: handle.id });
    // The workload can be changed again afterwards.
    const again = await next.core.change(alice, "dev", { memory: "2G" });
    assert.notEqual(again.type, "done");
  });

  void it("an interrupted workspace resize gets the stored size limit back", async () => {
    const crashed = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    await createReady(crashed.core, alice, { name: "dev", workspace: { enabled: true, size: "2G" } });
    const hold = crashed.storage.injector.hold("resizeWorkspace");
    const answer = await crashed.core.change(alice, "dev", { workspaceSize: "4G" });
    assert.equal(answer.type, "job");
    await hold.reached;
    // The limit was set on the host when the process died, before the spec was stored.
    crashed.storage.workspaces.get("telegram_42/dev")!.limitBytes = 4 * 1024 ** 3;

    const next = restart(crashed);
    await next.core.idle();
    assert.equal(next.storage.workspaces.get("telegram_42/dev")?.limitBytes, 2 * 1024 ** 3);
    assert.equal(next.backend.containers.get("dev")?.state, "running");
  });

  void it("leaves jobs of live processes alone", async () => {
    const running = createTestCore({ pid: CRASHED_PID, isProcessAlive: () => true });
    const hold = running.backend.hold("create");
    await running.core.create(alice, { name: "dev" });
    await hold.reached;
    const other = createTestCore({
      db: running.db,
      backend: running.backend,
      storage: running.storage,
      clock: running.clock,
      isProcessAlive: () => true,
    });
    await other.core.idle();
    assert.equal(running.storage.workspaces.size, 1);
    assert.equal((await other.core.reconcile(actor(TEST_USERS.admin))).recovered.length, 0);
    hold.release();
    await running.core.idle();
    assert.equal(workloadOf(await running.core.show(alice, "dev")).status, "ready");
  });

  void it("start-up costs no host calls when nothing was interrupted", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const backendCalls = t.backend.calls.length;
    const storageCalls = t.storage.calls.length;
    const next = restart(t);
    await next.core.idle();
    assert.equal(t.backend.calls.length, backendCalls);
    assert.equal(t.storage.calls.length, storageCalls);
  });

  void it("a job left by an earlier process that had this same pid is recovered (pids are reused)", async () => {
    const earlier = createTestCore({ pid: 777, isProcessAlive: () => true, bootId: "boot-a" });
    const hold = earlier.backend.hold("create");
    const handle = await earlier.core.create(alice, { name: "dev" });
    await hold.reached;
    // Simulate the earlier instance being gone: same pid and boot, unknown instance id.
    earlier.db.sqlite.prepare("UPDATE jobs SET holder = 'boot-a/gone' WHERE id = ?").run(handle.id);
    earlier.db.sqlite.prepare("UPDATE workload_locks SET holder = 'boot-a/gone'").run();
    const next = createTestCore({
      db: earlier.db,
      backend: earlier.backend,
      storage: earlier.storage,
      clock: earlier.clock,
      pid: 777,
      isProcessAlive: () => true,
      bootId: "boot-a",
    });
    await next.core.idle();
    assert.equal((await next.core.job(alice, handle.id)).state, "interrupted");
    assert.equal(next.storage.workspaces.size, 0);
  });

  void it("a job recorded during an earlier boot is recovered even if its pid now belongs to a live process", async () => {
    const before = createTestCore({ pid: 4242, isProcessAlive: () => true, bootId: "boot-a" });
    const hold = before.backend.hold("create");
    const handle = await before.core.create(alice, { name: "dev" });
    await hold.reached;
    const after = createTestCore({
      db: before.db,
      backend: before.backend,
      storage: before.storage,
      clock: before.clock,
      isProcessAlive: () => true,
      bootId: "boot-b",
    });
    await after.core.idle();
    assert.equal((await after.core.job(alice, handle.id)).state, "interrupted");
    await createReady(after.core, alice, { name: "dev" });
  });
});
