/**
 * HTTP API overhead over the fake runtime: p50/p95 of `GET /api/v1/workloads` for a user with
 * three workloads, through `app.request` (in-process) and through a real socket on 127.0.0.1
 * (fetch, keep-alive). Target: p50 ≤ 5 ms. The database is a real WAL file, as in production;
 * the rate limit is raised so it does not answer 429 during the run. Prints a table, then one
 * JSON line.
 *
 * Run: node --import tsx bench/http.bench.ts
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createHttpApp } from "../src/adapters/http/app.js";
import { startHttpServer } from "../src/adapters/http/server.js";
import { openDatabase } from "../src/state/database.js";
import { actor, createTestCore, TEST_USERS } from "../test/fakes/core-harness.js";

const ITERATIONS = 1000;
const WARMUP = 100;
const TARGET_MS = 5;

interface Row {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
}

async function measure(name: string, run: () => Promise<unknown>): Promise<Row> {
  for (let index = 0; index < WARMUP; index += 1) await run();
  const samples: number[] = [];
  for (let index = 0; index < ITERATIONS; index += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (fraction: number) => samples[Math.min(samples.length - 1, Math.floor(fraction * samples.length))]!;
  return { name, p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "voxnix-bench-http-"));
  try {
    const t = createTestCore({ db: openDatabase(join(directory, "state.db")) });
    const alice = actor(TEST_USERS.alice);
    for (const name of ["dev", "web", "db"])
      await (await t.core.create(alice, { name, modules: ["git", "fish"] })).wait();
    const { token } = await t.core.createApiToken(actor(TEST_USERS.admin), TEST_USERS.alice);
    const app = createHttpApp({
      core: t.core,
      rateLimit: { reads: { perMinute: 1e9, burst: 1e9 }, writes: { perMinute: 1e9, burst: 1e9 } },
    });
    const headers = { authorization: `Bearer ${token}` };
    const expectOk = async (response: Response) => {
      if (response.status !== 200) throw new Error(`GET /api/v1/workloads answered ${response.status}`);
      await response.arrayBuffer();
    };

    const rows: Row[] = [];
    rows.push(
      await measure("app.request GET /api/v1/workloads", async () =>
        expectOk(await app.request("/api/v1/workloads", { headers })),
      ),
    );
    const server = await startHttpServer(app, { listen: "127.0.0.1:0" });
    try {
      rows.push(
        await measure("socket GET /api/v1/workloads (fetch)", async () =>
          expectOk(await fetch(`${server.url}/api/v1/workloads`, { headers })),
        ),
      );
    } finally {
      await server.close(1000);
    }

    console.log("name                                   p50 ms   p95 ms");
    for (const row of rows)
      console.log(`${row.name.padEnd(38)} ${row.p50.toFixed(3).padStart(7)}  ${row.p95.toFixed(3).padStart(7)}`);
    const met = rows.every((row) => row.p50 <= TARGET_MS);
    console.log(
      JSON.stringify({
        bench: "http",
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        load: loadavg().map((value) => Math.round(value * 100) / 100),
        targetP50Ms: TARGET_MS,
        met,
        rows: rows.map((row) => ({
          ...row,
          p50: Math.round(row.p50 * 1000) / 1000,
          p95: Math.round(row.p95 * 1000) / 1000,
        })),
      }),
    );
    await t.core.idle();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
