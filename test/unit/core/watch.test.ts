/**
 * The live list (`watch`): opened with one audited read, then pushed (not polled) when an
 * operation changes something, with no audit record per update; each subscriber sees only
 * what it may (alice her workloads, an admin everything); one host read serves every
 * subscriber; another process's database change is noticed; a denied user's stream ends.
 * An open stream holds no timer that keeps the process alive, and stopping ends every stream.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ListResult } from "../../../src/core/api.js";
import { openDatabase } from "../../../src/state/database.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "./helpers.js";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const admin = actor(TEST_USERS.admin);

/** Resolves with the first pushed list that satisfies `test`. */
function nextList(
  watch: { onChange(listener: (result: ListResult) => void): () => void },
  test: (result: ListResult) => boolean,
): Promise<ListResult> {
  return new Promise((resolve) => {
    const unsubscribe = watch.onChange((result) => {
      if (!test(result)) return;
      unsubscribe();
      resolve(result);
    });
  });
}

const auditCount = (t: ReturnType<typeof createTestCore>, operation: string) =>
  (t.db.sqlite.prepare("SELECT count(*) AS n FROM operations WHERE operation = ?").get(operation) as { n: number }).n;

void describe("watch: the live list", () => {
  void it("pushes changes to each subscriber's own view, audited once when opened and never per update", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, bob, { name: "bobs" });
    const mine = await t.core.watch(alice, { pollMs: 3_600_000 });
    const everything = await t.core.watch(admin, { pollMs: 3_600_000 });
    assert.deepEqual(
      mine.current.workloads.map((workload) => workload.name),
      ["dev"],
    );
    assert.deepEqual(
      everything.current.workloads.map((workload) => `${workload.owner}/${workload.name}`),
      [`${TEST_USERS.bob}/bobs`, `${TEST_USERS.alice}/dev`],
    );
    assert.equal(auditCount(t, "watch"), 2);

    const hostReadsBefore = t.backend.calls.filter((call) => call.method === "list").length;
    const aliceSees = nextList(mine, (result) => result.workloads[0]?.live === "stopped");
    const adminSees = nextList(everything, (result) =>
      result.workloads.some((workload) => workload.name === "dev" && workload.live === "stopped"),
    );
    await t.core.stop(alice, "dev");
    await Promise.all([aliceSees, adminSees]);
    const hostReads = t.backend.calls.filter((call) => call.method === "list").length - hostReadsBefore;
    assert.ok(hostReads >= 1 && hostReads <= 2, `one host read for both subscribers (got ${hostReads})`);

    // bob's change reaches the admin, not alice (whose view did not change).
    let aliceUpdates = 0;
    mine.onChange(() => (aliceUpdates += 1));
    await Promise.all([
      nextList(everything, (result) =>
        result.workloads.some((workload) => workload.name === "bobs" && workload.live === "stopped"),
      ),
      t.core.stop(bob, "bobs"),
    ]);
    assert.equal(aliceUpdates, 0);
    assert.equal(auditCount(t, "watch"), 2, "updates are not audited");
    assert.equal(auditCount(t, "list"), 0, "nor recorded as list reads");
    mine.close();
    everything.close();
    assert.deepEqual(await mine.ended, { reason: "closed" });
  });

  void it("a new workload shows up while it is created (the job's start is a change too)", async () => {
    const t = createTestCore();
    const watch = await t.core.watch(alice, { pollMs: 3_600_000 });
    const creating = nextList(watch, (result) => result.workloads.some((workload) => workload.name === "fresh"));
    const handle = await t.core.create(alice, { name: "fresh" });
    await creating;
    await handle.wait();
    watch.close();
  });

  void it("notices another process's change through the database, and ends a denied user's stream", async () => {
    const directory = mkdtempSync(join(tmpdir(), "voxnix-watch-"));
    try {
      const file = join(directory, "state.db");
      const t = createTestCore({ db: openDatabase(file) });
      await createReady(t.core, alice, { name: "dev" });
      const watch = await t.core.watch(alice, { pollMs: 3_600_000 });
      // The watcher's timers do not keep a process alive; a server does. This stands for it.
      const server = setInterval(() => undefined, 1_000);
      // Another process (another connection) records alice's intent; no in-process notification.
      const other = openDatabase(file);
      const seen = nextList(watch, (result) => result.workloads[0]?.desired === "stopped");
      other.sqlite.prepare("UPDATE workloads SET desired = 'stopped' WHERE name = 'dev'").run();
      await seen;
      other.close();

      await t.core.denyUser(admin, TEST_USERS.alice);
      assert.deepEqual(await watch.ended, { reason: "access-ended" });
      await t.core.idle();
      clearInterval(server);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  void it("an open stream keeps no timer that holds the process; stopping ends every stream and its timers", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
    const before = timers();
    const first = await t.core.watch(alice, { pollMs: 3_600_000 });
    const second = await t.core.watch(admin, { pollMs: 100 });
    assert.equal(timers(), before, "the database check and the host poll are unref'd");

    t.core.endLiveStreams();
    assert.deepEqual(await first.ended, { reason: "closed" });
    assert.deepEqual(await second.ended, { reason: "closed" });
    // Nothing is pushed after the end, even when something changes.
    let pushed = 0;
    first.onChange(() => (pushed += 1));
    await t.core.stop(alice, "dev");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(pushed, 0);
    first.close();
    // A stream opened afterwards works as before.
    const third = await t.core.watch(alice, { pollMs: 3_600_000 });
    const started = nextList(third, (result) => result.workloads[0]?.live === "running");
    await t.core.start(alice, "dev");
    await started;
    third.close();
  });

  void it("refuses a poll interval out of bounds", async () => {
    const t = createTestCore();
    await assert.rejects(t.core.watch(alice, { pollMs: 5 }), { kind: "invalid-input" });
  });
});
