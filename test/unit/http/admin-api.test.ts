/**
 * The admin's HTTP routes beyond the matrix's status codes: the audit log's filters and
 * pages through `GET /api/v1/audit` (bad filters are 422 with the CLI's error shape), and the
 * live list `GET /api/v1/events` pushing a change without one audit row per update.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createHttpHarness } from "../../fakes/http-harness.js";
import { createReady } from "../core/helpers.js";

const alice = actor(TEST_USERS.alice);

void describe("HTTP API: the audit log (admins)", () => {
  void it("filters and pages, newest first; bad filters are refused with the error shape", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    await h.core.stop(alice, "dev");
    await h.core.start(alice, "dev");
    const page = await h.call(
      "admin",
      "GET",
      `/api/v1/audit?user=${encodeURIComponent(TEST_USERS.alice)}&workload=dev&limit=2`,
    );
    assert.equal(page.status, 200);
    const result = page.json.result as {
      entries: { id: number; operation: string; actor: string; startedAt: string }[];
      next?: number;
    };
    assert.deepEqual(
      result.entries.map((entry) => entry.operation),
      ["start", "stop"],
    );
    assert.ok(!Number.isNaN(Date.parse(result.entries[0]!.startedAt)));
    assert.equal(result.next, result.entries[1]!.id);
    const older = await h.call(
      "admin",
      "GET",
      `/api/v1/audit?user=${encodeURIComponent(TEST_USERS.alice)}&workload=dev&limit=2&before=${result.next}`,
    );
    assert.deepEqual(
      (older.json.result as { entries: { operation: string }[] }).entries.map((entry) => entry.operation),
      ["create"],
    );
    assert.equal((older.json.result as { next?: number }).next, undefined);

    for (const query of ["limit=0", "limit=abc", "outcome=maybe", "since=not-a-date", "before=-1", "colour=red"]) {
      const refused = await h.call("admin", "GET", `/api/v1/audit?${query}`);
      assert.equal(refused.status, 422, query);
      assert.equal(refused.json.error?.kind, "invalid-input", query);
    }
    const asOwner = await h.call("owner", "GET", "/api/v1/audit");
    assert.equal(asOwner.status, 403);
    assert.equal(asOwner.json.error?.kind, "forbidden");
  });
});

void describe("HTTP API: the live list (SSE)", () => {
  void it("pushes a change at once and audits the stream once, not per update", async () => {
    const h = await createHttpHarness({ app: { watchMaxMs: 60_000, watchPollMs: 3_600_000 } });
    await createReady(h.core, alice, { name: "dev" });
    const response = await h.app.request("/api/v1/events", { headers: { authorization: `Bearer ${h.tokens.owner}` } });
    assert.equal(response.status, 200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended without ${pattern}: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: workloads\ndata: .*"live":"running"/);
    const before = (h.db.sqlite.prepare("SELECT count(*) AS n FROM operations").get() as { n: number }).n;
    await h.core.stop(alice, "dev");
    await readUntil(/"live":"stopped"/);
    await h.core.start(alice, "dev");
    await readUntil(/"live":"stopped"[\s\S]*"live":"running"/);
    await reader.cancel();
    const rows = h.db.sqlite.prepare("SELECT operation FROM operations WHERE id > ? ORDER BY id").all(before) as {
      operation: string;
    }[];
    assert.deepEqual(
      rows.map((row) => row.operation),
      ["stop", "start"],
      "the pushed updates wrote no audit rows",
    );
    assert.equal(
      (h.db.sqlite.prepare("SELECT count(*) AS n FROM operations WHERE operation = 'watch'").get() as { n: number }).n,
      1,
    );
  });

  void it("tells a denied person's open stream that access ended, then ends it", async () => {
    const h = await createHttpHarness({ app: { watchMaxMs: 60_000, watchPollMs: 3_600_000 } });
    await createReady(h.core, alice, { name: "dev" });
    const response = await h.app.request("/api/v1/events", { headers: { authorization: `Bearer ${h.tokens.owner}` } });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: workloads")) text += (await reader.read()).value ?? "";
    const denied = await h.call("admin", "POST", `/api/v1/users/${encodeURIComponent(TEST_USERS.alice)}/deny`);
    assert.equal(denied.status, 200, JSON.stringify(denied.json));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.match(
      text,
      /event: access-ended\ndata: \{"message":"An administrator has turned off your access\."\}\n\n$/,
      "the last event, then the stream ends",
    );
  });
});
