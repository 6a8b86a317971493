/**
 * The nixos backend's host-process budget: how many host programs each operation starts and
 * how `list` scales with the number of containers. `list` must stay one batch (two processes
 * whatever the count), never one process per container. Runs the real backend and command
 * runner against the fake host programs in test/fakes/bin/nixos, so times are dominated by
 * Node start-up of the fakes; compare rows within one run, not across machines.
 *
 * Run: node --import tsx bench/nixos.bench.ts
 *
 * @module
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { FakeHost, name, spec } from "../test/contract/nixos/harness.js";

const RUNS = 5;

interface Row {
  readonly operation: string;
  readonly processes: number;
  readonly medianMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function measure(host: FakeHost, operation: string, run: () => Promise<unknown>): Promise<Row> {
  const times: number[] = [];
  let processes = 0;
  for (let index = 0; index < RUNS; index += 1) {
    host.clearCalls();
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
    processes = host.calls().length;
  }
  return { operation, processes, medianMs: Math.round(median(times)) };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const listScaling: { containers: number; processes: number; medianMs: number }[] = [];
  for (const count of [1, 10, 50]) {
    const host = new FakeHost();
    try {
      for (let index = 0; index < count; index += 1)
        host.seedContainer(`c${index}`, { running: index % 2 === 0, addresses: ["10.100.0.9"] });
      const backend = host.backend();
      const row = await measure(host, `list (${count} containers)`, () => backend.list());
      rows.push(row);
      listScaling.push({ containers: count, processes: row.processes, medianMs: row.medianMs });
    } finally {
      host.dispose();
    }
  }

  const host = new FakeHost();
  try {
    const backend = host.backend();
    host.seedContainer("web", { running: true });
    host.writeFile(
      "fake/journal/web.jsonl",
      `${JSON.stringify({ __REALTIME_TIMESTAMP: "1763755200000000", MESSAGE: "started" })}\n`,
    );
    rows.push(await measure(host, "show (running, no tailscale)", () => backend.show(name("web"))));
    rows.push(await measure(host, "logs (container journal)", () => backend.logs(name("web"), { lines: 50 })));
    rows.push(
      await measure(host, "create + destroy (git)", async () => {
        await backend.create(spec("dev", ["git"]), { ownerLabel: "telegram:42", onProgress: () => undefined });
        await backend.destroy(name("dev"), { onProgress: () => undefined });
      }),
    );
  } finally {
    host.dispose();
  }

  console.log(
    `nixos backend over fakes — ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)}, ${new Date().toISOString()}`,
  );
  console.log("operation                        processes  median ms");
  for (const row of rows)
    console.log(
      `${row.operation.padEnd(32)} ${String(row.processes).padStart(9)}  ${String(row.medianMs).padStart(9)}`,
    );
  const constantList = listScaling.every((entry) => entry.processes === listScaling[0]?.processes);
  console.log(
    constantList
      ? "list starts the same number of processes for 1, 10 and 50 containers."
      : "list process count grows with the container count!",
  );
  console.log(JSON.stringify({ bench: "nixos", rows, listScaling, listIsBatched: constantList }));
}

await main();
