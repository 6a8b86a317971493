/**
 * Browser terminal latency: a keystroke's echo round trip through a real WebSocket on
 * 127.0.0.1, the HTTP adapter, the core's `openShell` and a real pseudo-terminal on the host
 * (the process spawner's terminal running `/bin/cat`, so the echo is the pty's own), without a
 * container (the confined path adds nsenter and systemd-run once, at open, not per
 * keystroke). Also the dashboard page (`GET /web/` with a session cookie). Target: echo p50 ≤
 * 30 ms. Prints a table, then one JSON line.
 *
 * Run: node --import tsx bench/terminal.bench.ts
 *
 * @module
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { createHttpApp } from "../src/adapters/http/app.js";
import { startHttpServer } from "../src/adapters/http/server.js";
import { SESSION_COOKIE } from "../src/adapters/http/session.js";
import { createProcessSpawner } from "../src/host/process-spawner.js";
import { actor, createTestCore, TEST_USERS } from "../test/fakes/core-harness.js";

const ITERATIONS = 500;
const WARMUP = 50;
const TARGET_MS = 30;

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function main(): Promise<void> {
  const t = createTestCore();
  const alice = actor(TEST_USERS.alice);
  await (await t.core.create(alice, { name: "dev" })).wait();
  // The fake runtime's shell is replaced by a real pty running cat: real kernel echo.
  const spawner = createProcessSpawner();
  t.backend.attach = (_name, options) =>
    spawner.spawn("/bin/cat", [], {
      timeoutMs: options.timeoutMs,
      ...(options.terminal === undefined ? {} : { terminal: options.terminal }),
      env: { PATH: "/usr/bin:/bin" },
    });
  const server = await startHttpServer(createHttpApp({ core: t.core }), { listen: "127.0.0.1:0" });
  const link = await t.core.createLoginLink(alice);
  const cookie = `${SESSION_COOKIE}=${(await t.core.startWebSession(link.token)).secret}`;
  try {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/web/terminal/dev?cols=80&rows=24`, {
      headers: { cookie, origin: server.url },
    });
    let received = "";
    let waiting: { readonly marker: string; readonly resolve: () => void } | undefined;
    socket.on("message", (data: Buffer) => {
      received += data.toString("utf8");
      if (waiting && received.includes(waiting.marker)) {
        const done = waiting.resolve;
        waiting = undefined;
        done();
      }
    });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const echo = async (index: number): Promise<number> => {
      const marker = `k${index}.`;
      received = "";
      const started = performance.now();
      await new Promise<void>((resolve) => {
        waiting = { marker, resolve };
        socket.send(`0${marker}`);
      });
      return performance.now() - started;
    };
    for (let index = 0; index < WARMUP; index += 1) await echo(index);
    const echoes: number[] = [];
    for (let index = 0; index < ITERATIONS; index += 1) echoes.push(await echo(WARMUP + index));
    socket.close();

    const pages: number[] = [];
    for (let index = 0; index < WARMUP + ITERATIONS; index += 1) {
      const started = performance.now();
      const response = await fetch(`${server.url}/web/`, { headers: { cookie } });
      await response.arrayBuffer();
      if (index >= WARMUP) pages.push(performance.now() - started);
    }

    const rows = [
      {
        name: "terminal keystroke echo (WebSocket + pty)",
        p50: percentile(echoes, 0.5),
        p95: percentile(echoes, 0.95),
      },
      { name: "GET /web/ (dashboard page)", p50: percentile(pages, 0.5), p95: percentile(pages, 0.95) },
    ];
    console.log("name                                        p50 ms   p95 ms");
    for (const row of rows)
      console.log(`${row.name.padEnd(43)} ${row.p50.toFixed(3).padStart(7)}  ${row.p95.toFixed(3).padStart(7)}`);
    console.log(
      JSON.stringify({
        bench: "terminal",
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        load: loadavg().map((value) => Math.round(value * 100) / 100),
        targetEchoP50Ms: TARGET_MS,
        met: rows[0]!.p50 <= TARGET_MS,
        rows: rows.map((row) => ({
          ...row,
          p50: Math.round(row.p50 * 1000) / 1000,
          p95: Math.round(row.p95 * 1000) / 1000,
        })),
      }),
    );
  } finally {
    await server.close(100);
    await t.core.idle();
  }
}

await main();
