/** Jobs: events, persisted state, running without listeners, locks while running. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError } from "../../../src/domain/errors.js";
import type { JobEvent } from "../../../src/core/api.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, destroyToken, rejection } from "./helpers.js";

const alice = actor(TEST_USERS.alice);

void describe("jobs", () => {
  void it("emits job-start, progress from the backend, and job-end last", async () => {
    const t = createTestCore();
    const handle = await t.core.create(alice, { name: "dev" });
    const events: JobEvent[] = [];
    handle.onEvent((event) => events.push(event));
    await handle.wait();
    assert.equal(events[0]?.type, "job-start");
    assert.equal(events.at(-1)?.type, "job-end");
    assert.ok(
      events.some((event) => event.type === "step" && event.message === "Building dev"),
      "backend progress is forwarded",
    );
    assert.ok(events.some((event) => event.type === "log" && event.line === "created dev"));
    for (const event of events) if (event.type === "step" || event.type === "log") assert.equal(event.jobId, handle.id);
    const end = events.at(-1);
    assert.ok(end?.type === "job-end" && end.job.state === "succeeded");
  });

  void it("persists state and progress, queryable while running and after", async () => {
    const t = createTestCore();
    const hold = t.backend.hold("create");
    const handle = await t.core.create(alice, { name: "dev" });
    await hold.reached;
    const running = await t.core.job(alice, handle.id);
    assert.equal(running.state, "running");
    assert.equal(running.progress, "Building dev");
    assert.equal(running.kind, "create");
    assert.equal(
      (t.db.sqlite.prepare("SELECT pid FROM jobs WHERE id = ?").get(handle.id) as Record<string, unknown>).pid,
      process.pid,
    );
    hold.release();
    await handle.wait();
    const done = await t.core.job(alice, handle.id);
    assert.equal(done.state, "succeeded");
    assert.ok(done.endedAt);
  });

  void it("keeps running when nobody listens or waits", async () => {
    const t = createTestCore();
    const handle = await t.core.create(alice, { name: "dev" });
    const unsubscribe = handle.onEvent(() => assert.fail("unsubscribed listener called"));
    unsubscribe();
    await t.core.idle();
    assert.equal((await t.core.job(alice, handle.id)).state, "succeeded");
    assert.ok(t.backend.containers.has("dev"));
  });

  void it("a throwing listener does not break the job", async () => {
    const t = createTestCore();
    const handle = await t.core.create(alice, { name: "dev" });
    handle.onEvent(() => {
      throw new Error("listener bug");
    });
    assert.equal((await handle.wait()).status, "ready");
  });

  void it("a workload is locked while its job runs: other mutations are busy", async () => {
    const t = createTestCore();
    const hold = t.backend.hold("create");
    const handle = await t.core.create(alice, { name: "dev" });
    await hold.reached;
    const busy = await rejection(t.core.start(alice, "dev"));
    assert.ok(busy instanceof ConflictError);
    assert.equal(busy.reason, "busy");
    const again = await rejection(t.core.create(alice, { name: "dev" }));
    assert.equal((again as ConflictError).reason, "name-taken");
    hold.release();
    await handle.wait();
    await t.core.stop(alice, "dev");
  });

  void it("the lock is shared across core instances over one database (another process)", async () => {
    const first = createTestCore();
    await createReady(first.core, alice, { name: "dev" });
    const second = createTestCore({ db: first.db, backend: first.backend, storage: first.storage, clock: first.clock });
    const { token } = await destroyToken(first.core, alice, "dev");
    const hold = first.backend.hold("destroy");
    const handle = await first.core.confirm(alice, token);
    await hold.reached;
    const error = await rejection(second.core.stop(alice, "dev"));
    assert.equal((error as ConflictError).reason, "busy");
    hold.release();
    await handle.wait();
    assert.equal(
      (first.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workload_locks").get() as Record<string, unknown>).n,
      0,
      "locks are released",
    );
  });

  void it("a job of another user is not found; admins can see it", async () => {
    const t = createTestCore();
    const handle = await t.core.create(alice, { name: "dev" });
    await handle.wait();
    assert.equal((await rejection(t.core.job(actor(TEST_USERS.bob), handle.id))).kind, "not-found");
    assert.equal((await t.core.job(actor(TEST_USERS.admin), handle.id)).owner, TEST_USERS.alice);
    assert.equal((await rejection(t.core.job(alice, "no-such-job"))).kind, "not-found");
  });
});

void describe("job end and locks", () => {
  void it("locks are released and the audit written before job-end is emitted", async () => {
    const t = createTestCore();
    const handle = await t.core.create(alice, { name: "dev" });
    const seen: { locks: unknown; audits: unknown }[] = [];
    handle.onEvent((event) => {
      if (event.type !== "job-end") return;
      seen.push({
        locks: (t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM workload_locks").get() as { n: number }).n,
        audits: (
          t.db.sqlite.prepare("SELECT COUNT(*) AS n FROM operations WHERE job_id = ?").get(handle.id) as { n: number }
        ).n,
      });
    });
    await handle.wait();
    assert.deepEqual(seen, [{ locks: 0, audits: 1 }]);
  });
});
