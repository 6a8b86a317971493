/**
 * The dashboard's live view (`GET /api/v1/events`) over the fake runtime, with the server's
 * default settings: TABS open streams for WINDOW_MS, counting the audit rows and the host
 * list calls they cause, then how long a change (a `stop` through the core) takes to reach a
 * tab, over ROUNDS stops and starts. Real socket on 127.0.0.1, real WAL database. Prints one
 * JSON line; docs/benchmarks.md keeps the before/after numbers.
 *
 * Run: node --import tsx bench/events.bench.ts
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

const TABS = 3;
const WINDOW_MS = 30_000;
const ROUNDS = 10;

/** Opens an event stream and calls `onEvent` with each `workloads` event's data. */
async function openStream(
  url: string,
  token: string,
  onEvent: (data: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal });
  if (!response.ok || !response.body) throw new Error(`GET /api/v1/events answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.includes("event: workloads"))
            onEvent(
              block
                .split("\n")
                .filter((line) => line.startsWith("data:"))
                .map((line) => line.slice(5).trimStart())
                .join("\n"),
            );
        }
      }
    } catch {
      /* aborted */
    }
  })();
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "voxnix-bench-events-"));
  try {
    const t = createTestCore({ db: openDatabase(join(directory, "state.db")) });
    const alice = actor(TEST_USERS.alice);
    for (const name of ["dev", "web", "db"]) await (await t.core.create(alice, { name })).wait();
    const { token } = await t.core.createApiToken(actor(TEST_USERS.admin), TEST_USERS.alice);
    const app = createHttpApp({
      core: t.core,
      rateLimit: { reads: { perMinute: 1e9, burst: 1e9 }, writes: { perMinute: 1e9, burst: 1e9 } },
    });
    const server = await startHttpServer(app, { listen: "127.0.0.1:0" });
    const abort = new AbortController();
    const auditRows = () => (t.db.sqlite.prepare("SELECT count(*) AS n FROM operations").get() as { n: number }).n;
    const listCalls = () => t.backend.calls.filter((call) => call.method === "list").length;
    try {
      // Quiet tabs: nothing changes for WINDOW_MS.
      const rowsBefore = auditRows();
      const callsBefore = listCalls();
      const waiters: ((data: string) => void)[] = [];
      for (let tab = 0; tab < TABS; tab += 1) {
        await openStream(
          server.url,
          token,
          (data) => {
            if (tab === 0) for (const waiter of waiters.splice(0)) waiter(data);
          },
          abort.signal,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      const quietAudit = auditRows() - rowsBefore;
      const quietList = listCalls() - callsBefore;

      // Change latency: a stop or start through the core until tab 0 sees the new state.
      const latencies: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const verb = round % 2 === 0 ? "stop" : "start";
        const expected = verb === "stop" ? "stopped" : "running";
        const seen = new Promise<void>((resolve) => {
          const check = (data: string) => {
            const dev = (JSON.parse(data) as { workloads: { name: string; live: string }[] }).workloads.find(
              (workload) => workload.name === "dev",
            );
            if (dev?.live === expected) resolve();
            else waiters.push(check);
          };
          waiters.push(check);
        });
        const started = performance.now();
        await (verb === "stop" ? t.core.stop(alice, "dev") : t.core.start(alice, "dev"));
        await seen;
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length / 2)]!;
      const perTabMinute = (count: number) => Math.round((count / TABS) * (60_000 / WINDOW_MS) * 100) / 100;
      console.log(
        JSON.stringify({
          bench: "events",
          date: new Date().toISOString(),
          node: process.version,
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          load: loadavg().map((value) => Math.round(value * 100) / 100),
          tabs: TABS,
          quietWindowMs: WINDOW_MS,
          auditRowsQuiet: quietAudit,
          auditRowsPerTabMinute: perTabMinute(quietAudit),
          hostListCallsQuiet: quietList,
          hostListCallsPerMinute: Math.round(quietList * (60_000 / WINDOW_MS) * 100) / 100,
          changeLatencyP50Ms: Math.round(p50 * 10) / 10,
          changeLatencyMaxMs: Math.round(latencies[latencies.length - 1]! * 10) / 10,
        }),
      );
    } finally {
      abort.abort();
      await server.close(1000);
    }
    await t.core.idle();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
