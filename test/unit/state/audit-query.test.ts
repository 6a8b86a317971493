/**
 * The audit log's filters at the database: every combination of filters returns exactly the
 * records a plain reading of the filters picks, newest first, and an equality filter (who,
 * workload, operation, outcome) or a time range reads its index (migration 11) instead of
 * the whole table, shown by SQLite's own query plan.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../src/state/database.js";
import {
  auditQuery,
  createOperationsRepository,
  type AuditFilter,
  type StoredAuditRecord,
} from "../../../src/state/operations-repository.js";

const ACTORS = ["telegram:42", "telegram:43", "local:admin"];
const TARGETS = ["dev", "web", undefined];
const OPERATIONS = ["create", "stop", "start", "list", "watch"];
const T0 = Date.parse("2026-12-01T00:00:00Z");

function seeded() {
  const db = openDatabase(":memory:");
  const repo = createOperationsRepository(db);
  for (let i = 0; i < 600; i += 1) {
    const target = TARGETS[i % 3];
    repo.append({
      actor: ACTORS[(i * 7) % 3]!,
      operation: OPERATIONS[i % 5]!,
      ...(target ? { target } : {}),
      args: {},
      outcome: i % 11 === 0 ? "error" : "ok",
      ...(i % 11 === 0 ? { errorKind: "not-found" } : {}),
      durationMs: 1,
      startedAt: new Date(T0 + i * 60_000),
    });
  }
  return { db, repo, all: repo.recent(10_000) };
}

function expected(all: readonly StoredAuditRecord[], filter: AuditFilter): number[] {
  return all
    .filter((record) => filter.actor === undefined || record.actor === filter.actor)
    .filter((record) => filter.target === undefined || record.target === filter.target)
    .filter((record) => filter.operation === undefined || record.operation === filter.operation)
    .filter((record) => filter.outcome === undefined || record.outcome === filter.outcome)
    .filter((record) => filter.since === undefined || record.startedAt.getTime() >= filter.since.getTime())
    .filter((record) => filter.until === undefined || record.startedAt.getTime() < filter.until.getTime())
    .filter((record) => filter.beforeId === undefined || record.id < filter.beforeId)
    .slice(0, filter.limit)
    .map((record) => record.id);
}

void describe("audit log queries", () => {
  void it("every combination of filters returns what the filters say, newest first", () => {
    const { db, repo, all } = seeded();
    const choices: { readonly [K in keyof Omit<AuditFilter, "limit">]-?: readonly (AuditFilter[K] | undefined)[] } = {
      actor: [undefined, "telegram:42", "nobody"],
      target: [undefined, "web"],
      operation: [undefined, "stop"],
      outcome: [undefined, "error", "ok"],
      since: [undefined, new Date(T0 + 100 * 60_000)],
      until: [undefined, new Date(T0 + 400 * 60_000)],
      beforeId: [undefined, 350],
    };
    let checked = 0;
    let nonEmpty = 0;
    for (const actor of choices.actor)
      for (const target of choices.target)
        for (const operation of choices.operation)
          for (const outcome of choices.outcome)
            for (const since of choices.since)
              for (const until of choices.until)
                for (const beforeId of choices.beforeId)
                  for (const limit of [5, 1000]) {
                    const filter: AuditFilter = {
                      limit,
                      ...(actor ? { actor } : {}),
                      ...(target ? { target } : {}),
                      ...(operation ? { operation } : {}),
                      ...(outcome ? { outcome } : {}),
                      ...(since ? { since } : {}),
                      ...(until ? { until } : {}),
                      ...(beforeId ? { beforeId } : {}),
                    };
                    const want = expected(all, filter);
                    assert.deepEqual(
                      repo.query(filter).map((record) => record.id),
                      want,
                      JSON.stringify(filter),
                    );
                    checked += 1;
                    if (want.length > 0) nonEmpty += 1;
                  }
    assert.equal(checked, 3 * 2 * 2 * 3 * 2 * 2 * 2 * 2);
    assert.ok(nonEmpty > checked / 3, "most combinations match something");
    db.close();
  });

  void it("a filter reads its index, not the whole table", () => {
    const { db } = seeded();
    const plan = (filter: AuditFilter) => {
      const { sql, params } = auditQuery(filter);
      return (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
        .map((row) => row.detail)
        .join("; ");
    };
    assert.match(
      plan({ limit: 50, actor: "telegram:42" }),
      /SEARCH operations USING INDEX operations_actor \(actor=\?\)/,
    );
    assert.match(plan({ limit: 50, target: "web" }), /SEARCH operations USING INDEX operations_target \(target=\?\)/);
    assert.match(
      plan({ limit: 50, operation: "stop" }),
      /SEARCH operations USING INDEX operations_operation \(operation=\?\)/,
    );
    assert.match(
      plan({ limit: 50, outcome: "error" }),
      /SEARCH operations USING INDEX operations_outcome \(outcome=\?\)/,
    );
    assert.match(
      plan({ limit: 50, since: new Date(T0), until: new Date(T0 + 60_000) }),
      /SEARCH operations USING INDEX operations_started_at \(started_at>\? AND started_at<\?\)/,
    );
    // Several filters: one index narrows, the rest are checked on those rows only.
    assert.match(
      plan({ limit: 50, actor: "telegram:42", operation: "stop", outcome: "error" }),
      /SEARCH operations USING INDEX operations_/,
    );
    // Newest first within one index needs no sort (the index ends in the id).
    assert.doesNotMatch(plan({ limit: 50, actor: "telegram:42" }), /TEMP B-TREE/);
    // Paging without filters walks the table backwards from the cursor.
    assert.match(plan({ limit: 50, beforeId: 300 }), /SEARCH operations USING INTEGER PRIMARY KEY \(rowid<\?\)/);
    db.close();
  });
});
