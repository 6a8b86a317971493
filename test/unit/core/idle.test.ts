/**
 * Inactivity timers through the core with an injected clock (no sleeps): one warning, a stop
 * after the timeout (audited with reason "idle"), activity and keep reset the timer, the
 * per-user maximum, working hours, traffic through a forwarded port, timers surviving a restart through the database, waking
 * on an SSH session, and "not yours" being "not found" for keep.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Notice } from "../../../src/ports/notifier.js";
import { openDatabase } from "../../../src/state/database.js";
import { createOperationsRepository } from "../../../src/state/operations-repository.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { actor, createTestCore, TEST_USERS, type TestCoreOptions } from "../../fakes/core-harness.js";
import { createReady, rejection } from "./helpers.js";
import { workloadOf } from "../../../src/core/api.js";

const MINUTE = 60_000;
const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const admin = actor(TEST_USERS.admin);

/** A core with a 2h default timeout and a 10 min warning; notices are collected. */
function idleCore(
  options: TestCoreOptions & {
    readonly workingHours?: { startMinute: number; endMinute: number; timeZone: string };
  } = {},
) {
  const notices: Notice[] = [];
  const clock = options.clock ?? new FakeClock(new Date("2026-01-05T20:00:00Z"));
  const t = createTestCore({
    ...options,
    clock,
    policy: {
      idle: {
        defaultTimeoutMs: 120 * MINUTE,
        warnBeforeMs: 10 * MINUTE,
        ...(options.workingHours ? { workingHours: options.workingHours } : {}),
      },
      ...options.policy,
    },
    notifier: { notify: async (notice) => void notices.push(notice) },
  });
  return { ...t, notices };
}

function auditOf(t: { db: ReturnType<typeof openDatabase> }, operation: string) {
  return createOperationsRepository(t.db)
    .recent(500)
    .filter((record) => record.operation === operation);
}

void describe("idle timers", () => {
  void it("warns once before the timeout, then stops the workload with an audited idle stop", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    t.clock.advance(100 * MINUTE);
    assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
    t.clock.advance(11 * MINUTE); // 111 min idle: inside the warning period
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    assert.equal(t.notices.length, 1);
    const warning = t.notices[0]!;
    assert.equal(warning.type, "idle-warning");
    assert.equal(warning.user, TEST_USERS.alice);
    assert.equal(warning.workload, "web");
    // A warning always gives the full warning period, even when the round came late.
    assert.equal(warning.type === "idle-warning" ? warning.inMs : 0, 10 * MINUTE);
    // Warned once: the next rounds do not warn again.
    t.clock.advance(MINUTE);
    assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
    const shown = workloadOf(await t.core.show(alice, "web"));
    assert.ok(shown.idle?.warnedAt);
    assert.match(shown.idle.summary, /^stops at \d\d:\d\d if idle \(timeout 2h, last activity \d\d:\d\d create\)$/);
    t.clock.advance(10 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
    assert.equal(t.backend.containers.get("web")?.state, "stopped");
    const stopped = workloadOf(await t.core.show(alice, "web"));
    assert.equal(stopped.desired, "stopped");
    assert.match(stopped.idle!.summary, /^stopped for idleness at/);
    const stops = auditOf(t, "stop");
    assert.equal(stops.length, 1);
    assert.deepEqual(stops[0]!.args, { name: "web", reason: "idle" });
    assert.equal(stops[0]!.outcome, "ok");
    assert.equal(auditOf(t, "idleWarning").length, 1);
    assert.deepEqual(
      t.notices.map((notice) => notice.type),
      ["idle-warning", "idle-stop"],
    );
    // Stopped workloads are left alone.
    t.clock.advance(600 * MINUTE);
    assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
  });

  void it("never stops without a warning first, even when the deadline passed while nobody checked", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    t.clock.advance(10 * 3_600_000);
    const first = await t.core.idleTick();
    assert.deepEqual(first, { warned: ["web"], stopped: [], failed: [] });
    t.clock.advance(9 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, []);
    t.clock.advance(MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
  });

  void it("counts an exec and a session's input as activity, and keep resets a warned timer", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    t.clock.advance(115 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    await t.core.exec(alice, { name: "web", argv: ["true"] });
    let view = workloadOf(await t.core.show(alice, "web")).idle!;
    assert.equal(view.lastActivity.kind, "exec");
    assert.equal(view.warnedAt, undefined);
    assert.equal(view.stopsAt?.getTime(), t.clock.now().getTime() + 120 * MINUTE);

    // An SSH shell: opening counts, and typing keeps counting.
    const session = await t.core.openSession(alice, { name: "web", command: { kind: "shell" }, via: "ssh" });
    t.clock.advance(60 * MINUTE);
    session.stdin.write("ls\n");
    view = workloadOf(await t.core.show(alice, "web")).idle!;
    assert.equal(view.lastActivity.kind, "ssh session");
    assert.equal(view.lastActivity.at.getTime(), t.clock.now().getTime());
    session.close();
    await session.exit;

    t.clock.advance(112 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    // "keep" with no name: the workloads the person was warned about.
    const kept = await t.core.keep(alice);
    assert.deepEqual(
      kept.kept.map((item) => item.workload),
      ["web"],
    );
    assert.equal(kept.kept[0]!.stopsAt?.getTime(), t.clock.now().getTime() + 120 * MINUTE);
    t.clock.advance(100 * MINUTE);
    assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
    assert.equal(auditOf(t, "keep").length, 1);
  });

  void it("counts traffic through a forwarded port as activity, so a workload used only that way is not stopped", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    t.clock.advance(30 * MINUTE);
    const forward = await t.core.openForward(alice, { name: "web", host: "localhost", port: 8080, via: "ssh" });
    // Opening the forward is activity.
    let view = workloadOf(await t.core.show(alice, "web")).idle!;
    assert.equal(view.lastActivity.kind, "port forward");
    assert.equal(view.lastActivity.at.getTime(), t.clock.now().getTime());
    // Bytes carried through it an hour later are activity too (the first in a while is always noted).
    t.clock.advance(60 * MINUTE);
    forward.traffic();
    view = workloadOf(await t.core.show(alice, "web")).idle!;
    assert.equal(view.lastActivity.at.getTime(), t.clock.now().getTime());
    // Traffic every 30 minutes for five hours: never warned, never stopped.
    for (let round = 0; round < 10; round += 1) {
      t.clock.advance(30 * MINUTE);
      forward.traffic();
      assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
    }
    // A warned timer is reset by the next chunk at once (not thinned out).
    t.clock.advance(115 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    t.clock.advance(1000);
    forward.traffic();
    assert.equal(workloadOf(await t.core.show(alice, "web")).idle?.warnedAt, undefined);
    forward.close();
    // Once the forward is closed, nothing more is noted and the timer runs out as usual.
    t.clock.advance(111 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    t.clock.advance(10 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
  });

  void it("shows a pending warning and an idle stop in the owner's list and live view (the dashboard's banner)", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    const watch = await t.core.watch(alice, { pollMs: 3_600_000 });
    const pushed: (string | undefined)[] = [];
    watch.onChange((result) => pushed.push(result.workloads[0]?.idleNotice?.type));
    assert.equal(watch.current.workloads[0]!.idleNotice, undefined);
    t.clock.advance(115 * MINUTE);
    await t.core.idleTick();
    const warned = (await t.core.list(alice)).workloads[0]!;
    assert.equal(warned.idleNotice?.type, "warning");
    assert.equal(
      warned.idleNotice?.type === "warning" ? warned.idleNotice.stopsAt.getTime() : 0,
      t.clock.now().getTime() + 10 * MINUTE,
    );
    // Someone else's list shows nothing of it.
    assert.deepEqual((await t.core.list(bob)).workloads, []);
    for (let wait = 0; wait < 50 && pushed.length === 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(pushed, ["warning"], "the live view is told at once");
    // Activity ends the warning, and the live view drops it.
    await t.core.exec(alice, { name: "web", argv: ["true"] });
    assert.equal((await t.core.list(alice)).workloads[0]!.idleNotice, undefined);
    for (let wait = 0; wait < 50 && pushed.length < 2; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(pushed, ["warning", undefined]);
    // After an idle stop the list says so until it is started again.
    t.clock.advance(115 * MINUTE);
    await t.core.idleTick();
    t.clock.advance(10 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
    const stopped = (await t.core.list(alice)).workloads[0]!;
    assert.equal(stopped.idleNotice?.type, "stopped");
    workloadOf(await t.core.start(alice, "web"));
    assert.equal((await t.core.list(alice)).workloads[0]!.idleNotice, undefined);
    watch.close();
  });

  void it("warns only the owner: an admin's list and live view carry no idle warning of other owners' workloads", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    await createReady(t.core, admin, { name: "ops" });
    const notices = (result: { workloads: readonly { name: string; idleNotice?: { type: string } }[] }) =>
      Object.fromEntries(result.workloads.map((view) => [view.name, view.idleNotice?.type ?? "none"]));
    const adminWatch = await t.core.watch(admin, { pollMs: 3_600_000 });
    const pushed: Record<string, string>[] = [];
    adminWatch.onChange((result) => pushed.push(notices(result)));
    t.clock.advance(115 * MINUTE);
    assert.deepEqual([...(await t.core.idleTick()).warned].sort(), ["ops", "web"]);
    // The admin sees both workloads, but the warning only for their own.
    assert.deepEqual(notices(await t.core.list(admin)), { ops: "warning", web: "none" });
    assert.deepEqual(notices(await t.core.list(alice)), { web: "warning" });
    for (let wait = 0; wait < 50 && pushed.length === 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(pushed.at(-1), { ops: "warning", web: "none" }, "the live view pushes the same");
    // Chat and SSH notices go to each owner only.
    assert.deepEqual(t.notices.map((notice) => `${notice.user} ${notice.workload}`).sort(), [
      `${TEST_USERS.admin} ops`,
      `${TEST_USERS.alice} web`,
    ]);
    // The idle stop is the workload's state, not a warning: admins see it (the dashboard's
    // Terminal button wakes such a workload), and its banner stays the owner's (web/src/dashboard.ts).
    t.clock.advance(10 * MINUTE);
    await t.core.idleTick();
    assert.deepEqual(notices(await t.core.list(admin)), { ops: "stopped", web: "stopped" });
    assert.deepEqual(notices(await t.core.list(alice)), { web: "stopped" });
    adminWatch.close();
  });

  void it("takes the workload's own idle timeout at create, within the owner's maximum, and in the dry run", async () => {
    const t = idleCore();
    const job = await t.core.create(alice, { name: "night" }, { idleTimeout: "30m" });
    await job.wait();
    const view = workloadOf(await t.core.show(alice, "night")).idle!;
    assert.equal(view.timeoutMs, 30 * MINUTE);
    assert.equal(view.source, "workload");
    assert.equal(view.lastActivity.kind, "create");
    const created = auditOf(t, "create").find((record) => record.target === "night" && record.outcome === "ok");
    assert.equal((created?.args as { idleTimeout?: string } | undefined)?.idleTimeout, "30m");
    // "off" at create: never stopped.
    await (await t.core.create(alice, { name: "keeper" }, { idleTimeout: "off" })).wait();
    assert.equal(workloadOf(await t.core.show(alice, "keeper")).idle?.timeoutMs, 0);
    t.clock.advance(25 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).warned, ["night"]);
    // The dry run says so and creates nothing.
    const planned = await t.core.plan(alice, { operation: "create", input: { name: "plan1" }, idleTimeout: "2h" });
    assert.equal(planned.plan.operation === "create" && planned.plan.create.idleTimeout, "2h");
    assert.ok(planned.plan.steps.includes("stop plan1 after 2h without activity"));
    // Beyond the owner's maximum, or nonsense: refused before anything exists.
    await t.core.setUserLimits(admin, TEST_USERS.alice, { maxIdleTimeout: "4h" });
    const tooLong = await rejection(t.core.create(alice, { name: "late" }, { idleTimeout: "8h" }));
    assert.equal(tooLong.kind, "quota");
    assert.match(tooLong.message, /late can stay idle at most 4h/);
    assert.equal((await rejection(t.core.create(alice, { name: "late" }, { idleTimeout: "off" }))).kind, "quota");
    assert.equal(
      (await rejection(t.core.plan(alice, { operation: "create", input: { name: "late" }, idleTimeout: "8h" }))).kind,
      "quota",
    );
    assert.equal(
      (await rejection(t.core.create(alice, { name: "late" }, { idleTimeout: "soonish" }))).kind,
      "invalid-input",
    );
    assert.equal(t.backend.containers.has("late"), false);
    assert.deepEqual((await t.core.list(alice)).workloads.map((workload) => workload.name).sort(), ["keeper", "night"]);
  });

  void it("keep of someone else's workload is not found, exactly like a missing one", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    const theirs = await rejection(t.core.keep(bob, "web"));
    const missing = await rejection(t.core.keep(bob, "ghost"));
    assert.equal(theirs.kind, "not-found");
    assert.equal(theirs.message.replace("web", "X"), missing.message.replace("ghost", "X"));
    // Bob's bare "keep" does not touch alice's warned workload.
    t.clock.advance(115 * MINUTE);
    await t.core.idleTick();
    assert.equal((await rejection(t.core.keep(bob))).kind, "invalid-input");
    assert.ok(workloadOf(await t.core.show(alice, "web")).idle?.warnedAt);
  });

  void it("lets the owner choose a timeout within the per-user maximum, with a clear error beyond it", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    await t.core.setUserLimits(admin, TEST_USERS.alice, { maxIdleTimeout: "4h" });
    const view = await t.core.setIdleTimeout(alice, "web", "3h");
    assert.equal(view.timeoutMs, 180 * MINUTE);
    assert.equal(view.source, "workload");
    const tooLong = await rejection(t.core.setIdleTimeout(alice, "web", "5h"));
    assert.equal(tooLong.kind, "quota");
    assert.match(tooLong.message, /at most 4h/);
    assert.equal((await rejection(t.core.setIdleTimeout(alice, "web", "off"))).kind, "quota");
    assert.equal((await rejection(t.core.setIdleTimeout(alice, "web", "soon"))).kind, "invalid-input");
    assert.equal(workloadOf(await t.core.show(alice, "web")).idle?.timeoutMs, 180 * MINUTE);
    // Lowering the maximum below the choice caps it.
    await t.core.setUserLimits(admin, TEST_USERS.alice, { maxIdleTimeout: "1h" });
    const capped = workloadOf(await t.core.show(alice, "web")).idle!;
    assert.equal(capped.timeoutMs, 60 * MINUTE);
    assert.equal(capped.source, "user maximum");
    // With no maximum, "off" means never.
    await t.core.setUserLimits(admin, TEST_USERS.alice, { maxIdleTimeout: "none" });
    assert.equal((await t.core.setIdleTimeout(alice, "web", "off")).timeoutMs, 0);
    t.clock.advance(30 * 86_400_000);
    assert.deepEqual(await t.core.idleTick(), { warned: [], stopped: [], failed: [] });
  });

  void it("never stops during working hours: a stop due then waits for their end", async () => {
    // 08:00-20:00 UTC; the workload was last used at 09:00.
    const clock = new FakeClock(new Date("2026-01-05T09:00:00Z"));
    const t = idleCore({ clock, workingHours: { startMinute: 8 * 60, endMinute: 20 * 60, timeZone: "UTC" } });
    await createReady(t.core, alice, { name: "web" });
    assert.equal(workloadOf(await t.core.show(alice, "web")).idle?.stopsAt?.toISOString(), "2026-01-05T20:00:00.000Z");
    clock.set(new Date("2026-01-05T19:49:00Z"));
    assert.deepEqual((await t.core.idleTick()).warned, []);
    clock.set(new Date("2026-01-05T19:51:00Z"));
    assert.deepEqual((await t.core.idleTick()).warned, ["web"]);
    clock.set(new Date("2026-01-05T20:00:30Z"));
    assert.deepEqual((await t.core.idleTick()).stopped, []);
    clock.set(new Date("2026-01-05T20:01:00Z"));
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
  });

  void it("keeps timers across a restart of voxnix (the database holds them)", async () => {
    const db = openDatabase(":memory:");
    const clock = new FakeClock(new Date("2026-01-05T20:00:00Z"));
    const first = idleCore({ db, clock });
    await createReady(first.core, alice, { name: "web" });
    await first.core.setIdleTimeout(alice, "web", "30m");
    clock.advance(25 * MINUTE);
    assert.deepEqual((await first.core.idleTick()).warned, ["web"]);
    await first.core.idle();

    // A new core over the same database: same timeout, same warning, no second warning.
    const second = idleCore({ db, clock, backend: first.backend, storage: first.storage });
    const view = workloadOf(await second.core.show(alice, "web")).idle!;
    assert.equal(view.timeoutMs, 30 * MINUTE);
    assert.ok(view.warnedAt);
    clock.advance(4 * MINUTE);
    assert.deepEqual(await second.core.idleTick(), { warned: [], stopped: [], failed: [] });
    clock.advance(6 * MINUTE);
    assert.deepEqual((await second.core.idleTick()).stopped, ["web"]);
  });

  void it("starts a workload stopped for idleness when its owner opens a session, and says so", async () => {
    const t = idleCore();
    await createReady(t.core, alice, { name: "web" });
    t.clock.advance(115 * MINUTE);
    await t.core.idleTick();
    t.clock.advance(10 * MINUTE);
    assert.deepEqual((await t.core.idleTick()).stopped, ["web"]);
    // Someone else connecting wakes nothing: not found.
    assert.equal(
      (await rejection(t.core.openSession(bob, { name: "web", command: { kind: "shell" }, via: "ssh" }))).kind,
      "not-found",
    );
    assert.equal(t.backend.containers.get("web")?.state, "stopped");
    const told: string[] = [];
    const session = await t.core.openSession(alice, {
      name: "web",
      command: { kind: "exec", command: "true" },
      via: "ssh",
      onWake: (message) => told.push(message),
    });
    await session.exit;
    assert.deepEqual(told, ["starting web…"]);
    assert.equal(t.backend.containers.get("web")?.state, "running");
    const shown = workloadOf(await t.core.show(alice, "web"));
    assert.equal(shown.desired, "running");
    assert.equal(shown.idle?.stoppedForIdleAt, undefined);
    assert.deepEqual(auditOf(t, "start")[0]?.args, { name: "web", reason: "connect" });
    // A workload its owner stopped by hand is not woken by a connection.
    workloadOf(await t.core.stop(alice, "web"));
    const refused = await rejection(
      t.core.openSession(alice, {
        name: "web",
        command: { kind: "shell" },
        via: "ssh",
        onWake: (message) => told.push(message),
      }),
    );
    assert.equal(refused.kind, "conflict");
    assert.equal(told.length, 1);
  });
});
