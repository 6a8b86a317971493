/**
 * Core overhead with the fake backend: p50/p95 of read operations (list, show, whoami,
 * storage) for a user with a few workloads, and an admin `list` over 1,000 workloads.
 * Targets: p50 < 2 ms per read; list over 1,000 < 50 ms. The database is a real WAL file
 * in a temporary directory, as the CLI uses. Prints a table, then one JSON line.
 *
 * Run: node --import tsx bench/core.bench.ts
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "../src/state/database.js";
import { actor, createTestCore, TEST_USERS } from "../test/fakes/core-harness.js";

const GiB = 1024 ** 3;
const ITERATIONS = 500;
const WARMUP = 50;
const LARGE = 1000;

interface Row {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly target: number;
}

async function measure(name: string, target: number, iterations: number, run: () => Promise<unknown>): Promise<Row> {
  for (let index = 0; index < WARMUP; index += 1) await run();
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (fraction: number) => samples[Math.min(samples.length - 1, Math.floor(fraction * samples.length))]!;
  return { name, p50: at(0.5), p95: at(0.95), target };
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "voxnix-bench-"));
  try {
    const db = openDatabase(join(directory, "state.db"));
    const t = createTestCore({
      db,
      policy: {
        defaultLimits: {
          diskQuotaBytes: 1024 * GiB,
          maxWorkloads: 2 * LARGE,
          cpuBudget: 10 * LARGE,
          memoryBudgetBytes: 10 * LARGE * GiB,
          pidsBudget: 512 * 2 * LARGE,
        },
      },
    });
    const alice = actor(TEST_USERS.alice);
    const admin = actor(TEST_USERS.admin);
    for (const name of ["dev", "web", "db"])
      await (await t.core.create(alice, { name, modules: ["git", "fish"] })).wait();

    const rows: Row[] = [];
    rows.push(await measure("whoami", 2, ITERATIONS, () => t.core.whoami(alice)));
    rows.push(await measure("list (user, 3 workloads)", 2, ITERATIONS, () => t.core.list(alice)));
    rows.push(await measure("show", 2, ITERATIONS, () => t.core.show(alice, "dev")));
    rows.push(await measure("storage", 2, ITERATIONS, () => t.core.storage(alice)));

    const bob = actor(TEST_USERS.bob);
    const seedStarted = performance.now();
    for (let index = 0; index < LARGE; index += 1) {
      await (await t.core.create(bob, { name: `w${String(index).padStart(4, "0")}`, modules: ["git"] })).wait();
    }
    const seedMs = performance.now() - seedStarted;
    rows.push(await measure(`list (admin, ${LARGE + 3} workloads)`, 50, 100, () => t.core.list(admin)));

    const pad = (text: string, width: number) => text.padEnd(width);
    console.log(
      `voxnix core benchmark — fake backend, WAL file database, ${cpus().length} CPUs, Node ${process.version}, ${new Date().toISOString()}`,
    );
    console.log(`${pad("operation", 34)}${pad("p50 ms", 10)}${pad("p95 ms", 10)}${pad("target", 10)}result`);
    for (const row of rows) {
      console.log(
        `${pad(row.name, 34)}${pad(row.p50.toFixed(3), 10)}${pad(row.p95.toFixed(3), 10)}${pad(`< ${row.target}`, 10)}${row.p50 < row.target ? "ok" : "SLOW"}`,
      );
    }
    console.log(
      `(seeding ${LARGE} creates took ${(seedMs / 1000).toFixed(1)} s, ${(seedMs / LARGE).toFixed(2)} ms each)`,
    );
    const results = Object.fromEntries(
      rows.map((row) => [
        row.name,
        { p50Ms: round(row.p50), p95Ms: round(row.p95), targetMs: row.target, ok: row.p50 < row.target },
      ]),
    );
    console.log(
      JSON.stringify({
        bench: "core",
        createMsEach: round(seedMs / LARGE),
        results,
        ok: rows.every((row) => row.p50 < row.target),
      }),
    );
    await t.core.idle();
    db.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

await main();
