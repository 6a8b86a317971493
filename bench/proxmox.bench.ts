/**
 * Proxmox runtime overhead against the fake cluster (HTTPS on loopback, fingerprint-pinned,
 * tasks finishing after 1 ms, guest agent answering at once): how many API requests one create
 * costs, create wall time one at a time and 20 at once, and the VMID ledger's reservation
 * (one immediate SQLite transaction on a WAL file). Real clusters add clone and boot time on
 * top; this measures what voxnix adds. Targets: ≤ 30 requests per create, ledger p50 ≤ 1 ms.
 * Prints a table, then one JSON line.
 *
 * Run: node --import tsx bench/proxmox.bench.ts
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "../src/state/database.js";
import { createProxmoxVmidsRepository } from "../src/state/proxmox-vmids-repository.js";
import { createProxmoxHarness, vmSpec } from "../test/contract/proxmox/harness.js";

const SEQUENTIAL = 10;
const CONCURRENT = 20;
const LEDGER_ITERATIONS = 2000;

const percentile = (samples: number[], fraction: number) =>
  [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(fraction * samples.length))]!;

async function main(): Promise<void> {
  const h = await createProxmoxHarness({ fake: { taskDurationMs: 1, agentDelayMs: 0 } });
  const directory = mkdtempSync(join(tmpdir(), "voxnix-bench-pve-"));
  try {
    const host = { ownerLabel: "bench", onProgress: () => undefined };
    const sequential: number[] = [];
    let requests = 0;
    for (let index = 0; index < SEQUENTIAL; index += 1) {
      const before = h.fake.requests.length;
      const started = performance.now();
      await h.runtime.create(vmSpec(`seq${index}`), host);
      sequential.push(performance.now() - started);
      requests += h.fake.requests.length - before;
    }
    const concurrentStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, index) =>
        h.runtime.create(vmSpec(`par${index}`, { memoryBytes: 512 * 1024 ** 2 }), host),
      ),
    );
    const concurrentMs = performance.now() - concurrentStarted;

    const db = openDatabase(join(directory, "ledger.db"));
    const ledger = createProxmoxVmidsRepository(db);
    const reservations: number[] = [];
    for (let index = 0; index < LEDGER_ITERATIONS; index += 1) {
      const started = performance.now();
      ledger.reserveNext({ first: 100, last: 999_999 }, `w${index}`, new Date());
      reservations.push(performance.now() - started);
    }
    db.close();

    const result = {
      bench: "proxmox",
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, load1: loadavg()[0] },
      requestsPerCreate: requests / SEQUENTIAL,
      createSequentialP50Ms: percentile(sequential, 0.5),
      createSequentialP95Ms: percentile(sequential, 0.95),
      concurrentCreates: CONCURRENT,
      concurrentTotalMs: concurrentMs,
      ledgerReserveP50Ms: percentile(reservations, 0.5),
      ledgerReserveP95Ms: percentile(reservations, 0.95),
      targets: { requestsPerCreate: 30, ledgerReserveP50Ms: 1 },
    };
    const met = result.requestsPerCreate <= 30 && result.ledgerReserveP50Ms <= 1;
    console.log("measure                         value");
    console.log(`API requests per create         ${result.requestsPerCreate.toFixed(1)}`);
    console.log(
      `create, one at a time (p50/p95) ${result.createSequentialP50Ms.toFixed(1)} / ${result.createSequentialP95Ms.toFixed(1)} ms`,
    );
    console.log(`${CONCURRENT} creates at once (total)     ${result.concurrentTotalMs.toFixed(0)} ms`);
    console.log(
      `ledger reservation (p50/p95)    ${result.ledgerReserveP50Ms.toFixed(3)} / ${result.ledgerReserveP95Ms.toFixed(3)} ms`,
    );
    console.log(JSON.stringify({ ...result, met }));
  } finally {
    await h.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
