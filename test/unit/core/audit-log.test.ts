/**
 * The audit log as admins read it (`auditLog`): filters by user, workload, operation, outcome
 * and time range, newest first, keyset pages that neither repeat nor skip records when new
 * ones arrive between pages, invalid filters refused before anything is read, and the read
 * itself audited.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, outcome } from "./helpers.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const admin = actor(TEST_USERS.admin);

async function populated() {
  const t = createTestCore();
  await createReady(t.core, alice, { name: "dev" });
  await createReady(t.core, bob, { name: "bobs" });
  await t.core.stop(alice, "dev");
  t.clock.advance(3_600_000);
  await t.core.start(alice, "dev");
  await outcome(t.core.stop(bob, "dev")); // not bob's: not-found, an error record
  return t;
}

void describe("the audit log (admins)", () => {
  void it("filters by user, workload, operation and outcome, newest first", async () => {
    const t = await populated();
    const byAlice = await t.core.auditLog(admin, { user: TEST_USERS.alice });
    assert.ok(byAlice.entries.length >= 3);
    assert.ok(byAlice.entries.every((entry) => entry.actor === TEST_USERS.alice));
    assert.deepEqual(
      byAlice.entries.map((entry) => entry.id),
      [...byAlice.entries.map((entry) => entry.id)].sort((a, b) => b - a),
      "newest first",
    );
    const devStops = await t.core.auditLog(admin, { workload: "dev", operation: "stop" });
    assert.deepEqual(
      devStops.entries.map((entry) => `${entry.actor} ${entry.outcome}`),
      [`${TEST_USERS.bob} error`, `${TEST_USERS.alice} ok`],
    );
    const errors = await t.core.auditLog(admin, { outcome: "error" });
    assert.deepEqual(
      errors.entries.map((entry) => [entry.operation, entry.errorKind]),
      [["stop", "not-found"]],
    );
    const none = await t.core.auditLog(admin, { user: "telegram:999999" });
    assert.deepEqual(none, { entries: [] });
  });

  void it("filters by time range: since is inclusive, until exclusive", async () => {
    const t = await populated();
    const later = new Date(t.clock.now().getTime() - 60_000);
    const recent = await t.core.auditLog(admin, { since: later.toISOString(), workload: "dev" });
    assert.deepEqual(recent.entries.map((entry) => entry.operation).sort(), ["start", "stop"]);
    assert.ok(recent.entries.every((entry) => entry.startedAt.getTime() >= later.getTime()));
    const earlier = await t.core.auditLog(admin, { until: later, workload: "dev" });
    assert.ok(
      earlier.entries.length > 0 && earlier.entries.every((entry) => entry.startedAt.getTime() < later.getTime()),
    );
  });

  void it("pages with a cursor: no record twice or skipped, even when records arrive between pages", async () => {
    const t = await populated();
    const first = await t.core.auditLog(admin, { limit: 2 });
    assert.equal(first.entries.length, 2);
    assert.equal(first.next, first.entries[1]!.id);
    await t.core.list(alice); // a new record arrives before the next page
    const seen = [...first.entries.map((entry) => entry.id)];
    let cursor: number | undefined = first.next;
    while (cursor !== undefined) {
      const page = await t.core.auditLog(admin, { limit: 2, before: cursor });
      seen.push(...page.entries.map((entry) => entry.id));
      cursor = page.next;
    }
    assert.equal(new Set(seen).size, seen.length, "no record twice");
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => b - a),
    );
    assert.equal(Math.min(...seen), 1, "down to the first record");
    assert.equal(
      seen.length,
      (t.db.sqlite.prepare("SELECT count(*) AS n FROM operations WHERE id <= ?").get(seen[0]) as { n: number }).n,
    );
  });

  void it("refuses invalid filters before reading, and audits every read with its filters", async () => {
    const t = await populated();
    for (const query of [
      { limit: 0 },
      { limit: 201 },
      { since: "yesterday-ish" },
      { operation: "drop table" },
      { outcome: "maybe" },
      { since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z" },
      { extra: 1 },
    ]) {
      assert.equal(await outcome(t.core.auditLog(admin, query as never)), "invalid-input", JSON.stringify(query));
    }
    await t.core.auditLog(admin, { workload: "dev", limit: 5 });
    const reads = t.db.sqlite
      .prepare("SELECT args_json, outcome FROM operations WHERE operation = 'auditLog' ORDER BY id DESC LIMIT 1")
      .get() as { args_json: string; outcome: string };
    assert.deepEqual(JSON.parse(reads.args_json), { workload: "dev", limit: 5 });
    assert.equal(await outcome(t.core.auditLog(alice, {})), "forbidden:admin-only");
  });
});
