/** The VMID ledger table: forward-only allocation, two database connections never share an ID. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { ConflictError } from "../../../../src/domain/errors.js";
import { openDatabase } from "../../../../src/state/database.js";
import { createProxmoxVmidsRepository } from "../../../../src/state/proxmox-vmids-repository.js";

const now = new Date("2026-12-01T12:00:00Z");
const range = { first: 100, last: 199 };

void describe("proxmox VMID ledger table", () => {
  void it("allocates forward only: released and taken IDs are never handed out again", () => {
    const db = openDatabase(":memory:");
    const ledger = createProxmoxVmidsRepository(db);
    assert.equal(ledger.reserveNext(range, "a", now), 100);
    ledger.activate(100, now);
    ledger.markTaken(101, "foreign", now);
    assert.equal(ledger.reserveNext(range, "b", now), 102);
    ledger.release(100, "destroyed", now);
    ledger.release(102, "rolled back", now);
    assert.equal(ledger.reserveNext(range, "a", now), 103);
    assert.deepEqual(
      ledger.all().map((record) => [record.vmid, record.workload, record.state]),
      [
        [100, "a", "released"],
        [101, undefined, "taken"],
        [102, "b", "released"],
        [103, "a", "reserved"],
      ],
    );
    assert.equal(ledger.findLive("a")?.vmid, 103);
    db.close();
  });

  void it("a workload has at most one live VMID", () => {
    const db = openDatabase(":memory:");
    const ledger = createProxmoxVmidsRepository(db);
    ledger.reserveNext(range, "a", now);
    assert.throws(
      () => ledger.reserveNext(range, "a", now),
      (error: unknown) => error instanceof ConflictError && error.reason === "busy",
    );
    assert.equal(ledger.all().length, 1, "nothing was reserved");
    db.close();
  });

  void it("four threads with their own connections allocating at once never get the same ID", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxnix-ledger-"));
    try {
      const path = join(dir, "voxnix.db");
      openDatabase(path).close();
      const runs = ["a", "b", "c", "d"].map(
        (label) =>
          new Promise<number[]>((resolve, reject) => {
            // Workers do not inherit the tsx loader; register it in the worker, then load the TypeScript file.
            const file = new URL("./ledger-worker.ts", import.meta.url).href;
            const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); });`;
            const worker = new Worker(bootstrap, { eval: true, workerData: { path, count: 25, label } });
            worker.once("message", resolve);
            worker.once("error", reject);
          }),
      );
      const got = (await Promise.all(runs)).flat();
      assert.equal(got.length, 100);
      assert.deepEqual(
        [...got].sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, index) => 100 + index),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
