/** Cross-process locks: held by a live pid blocks, a dead pid's lock is taken over. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../src/state/database.js";
import { createWorkloadLocksRepository } from "../../../src/state/workload-locks-repository.js";

const at = new Date("2026-01-01T00:00:00Z");

void describe("workload locks", () => {
  void it("blocks another holder while the owning pid is alive, and frees on release", () => {
    const locks = createWorkloadLocksRepository(openDatabase(":memory:"));
    const alive = () => true;
    assert.equal(locks.tryAcquire("dev", "one", 100, at, alive), true);
    assert.equal(locks.tryAcquire("dev", "two", 200, at, alive), false);
    locks.release("dev", "two");
    assert.equal(locks.get("dev")?.holder, "one", "only the holder can release");
    locks.release("dev", "one");
    assert.equal(locks.tryAcquire("dev", "two", 200, at, alive), true);
  });

  void it("takes over a lock whose pid is dead, and clears stale ones", () => {
    const locks = createWorkloadLocksRepository(openDatabase(":memory:"));
    locks.tryAcquire("dev", "crashed", 100, at, () => true);
    locks.tryAcquire("web", "crashed", 100, at, () => true);
    assert.equal(
      locks.tryAcquire("dev", "fresh", 200, at, (pid) => pid !== 100),
      true,
    );
    assert.equal(locks.get("dev")?.pid, 200);
    assert.equal(
      locks.clearStale((pid) => pid !== 100),
      1,
    );
    assert.equal(locks.get("web"), undefined);
  });
});
