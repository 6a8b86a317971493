/**
 * nspawn benchmarks on the real host (root): request → container booted (the readiness unit
 * ran after multi-user.target) with a warm base image, destroy, memory per idle container
 * with 20 running at once, and `list` latency with 20 containers. Create and destroy are
 * measured in CYCLES create → destroy rounds with nothing else starting (what one person
 * sees), and create again while the fleet of 20 grows.
 *
 * Run: node --import tsx bench/nspawn.bench.ts   (COUNT=20 by default)
 *
 * @module
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { cgroupName } from "../src/runtimes/nspawn/paths.js";
import { createE2eEnv, destroyConfirmed, e2eUnavailable } from "../test/e2e/harness.js";

const COUNT = Number(process.env.COUNT ?? 20);
const CYCLES = Number(process.env.CYCLES ?? 10);
const actor = { userId: "local:admin" as const };

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function kib(file: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(file, "utf8"));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** RSS and PSS (KiB) of every process in the container's memory cgroup, and the cgroup's own charge (bytes). */
function containerMemory(group: string): { rssKiB: number; pssKiB: number; cgroupBytes: number; processes: number } {
  const directory = path.join("/sys/fs/cgroup/memory", group);
  const pids = new Set<string>();
  const walk = (current: string) => {
    for (const pid of readFileSync(path.join(current, "cgroup.procs"), "utf8").split("\n").filter(Boolean))
      pids.add(pid);
    for (const entry of readdirSync(current, { withFileTypes: true }))
      if (entry.isDirectory()) walk(path.join(current, entry.name));
  };
  walk(directory);
  let rssKiB = 0;
  let pssKiB = 0;
  for (const pid of pids) {
    rssKiB += kib(`/proc/${pid}/status`, "VmRSS");
    pssKiB += kib(`/proc/${pid}/smaps_rollup`, "Pss");
  }
  const cgroupBytes = Number(readFileSync(path.join(directory, "memory.usage_in_bytes"), "utf8").trim());
  return { rssKiB, pssKiB, cgroupBytes, processes: pids.size };
}

async function main(): Promise<void> {
  const unavailable = e2eUnavailable();
  if (unavailable) {
    console.log(`skipped: ${unavailable}`);
    console.log(JSON.stringify({ skipped: unavailable }));
    return;
  }
  const env = await createE2eEnv({
    diskQuota: "2G",
    extraConfig: {
      users: { defaults: { diskQuota: "2G", maxWorkloads: 100, cpuBudget: 1000, memoryBudget: "1T" } },
      resources: { defaultMemory: "512M" },
    },
  });
  const app = await env.app();
  const names = Array.from({ length: COUNT }, (_, index) => `b${index}`);
  const createMs: number[] = [];
  const destroyMs: number[] = [];
  const fleetCreateMs: number[] = [];
  const destroy = (name: string) => destroyConfirmed(app, actor, name);
  try {
    // One warm-up create so the pool, the user's qgroup and the page cache are warm.
    await (await app.core.create(actor, { name: "warm", modules: ["git"] })).wait();
    // Phase 1: create → booted and destroy with nothing else starting, CYCLES times.
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const name = `c${cycle}`;
      let started = performance.now();
      await (await app.core.create(actor, { name, modules: ["git", "fish"] })).wait();
      createMs.push(performance.now() - started);
      started = performance.now();
      await destroy(name);
      destroyMs.push(performance.now() - started);
    }
    // Phase 2: COUNT containers running at once.
    for (const name of names) {
      const started = performance.now();
      await (await app.core.create(actor, { name, modules: ["git", "fish"] })).wait();
      fleetCreateMs.push(performance.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const backend = env.backend();
    const memory = names.map((name) => containerMemory(cgroupName(backend.paths, name)));
    const listMs: number[] = [];
    const coreListMs: number[] = [];
    for (let round = 0; round < 30; round += 1) {
      let started = performance.now();
      const listed = await app.runtimes.all()[0]!.list();
      listMs.push(performance.now() - started);
      if (listed.filter((container) => container.state === "running").length < COUNT)
        throw new Error("not all containers are running");
      started = performance.now();
      await app.core.list(actor);
      coreListMs.push(performance.now() - started);
    }
    for (const name of [...names, "warm"]) await destroy(name);
    const average = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const results = {
      machine: `${process.env.BENCH_MACHINE ?? "this host"}`,
      date: new Date().toISOString(),
      containers: COUNT,
      createP50Ms: Math.round(percentile(createMs, 0.5)),
      createP90Ms: Math.round(percentile(createMs, 0.9)),
      createP50With0To19RunningMs: Math.round(percentile(fleetCreateMs, 0.5)),
      loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
      destroyP50Ms: Math.round(percentile(destroyMs, 0.5)),
      destroyP90Ms: Math.round(percentile(destroyMs, 0.9)),
      backendListP50Ms: Number(percentile(listMs, 0.5).toFixed(2)),
      coreListP50Ms: Number(percentile(coreListMs, 0.5).toFixed(2)),
      idleRssMiB: Number((average(memory.map((entry) => entry.rssKiB)) / 1024).toFixed(1)),
      idlePssMiB: Number((average(memory.map((entry) => entry.pssKiB)) / 1024).toFixed(1)),
      idleCgroupMiB: Number((average(memory.map((entry) => entry.cgroupBytes)) / 1024 ** 2).toFixed(1)),
      processesPerContainer: Math.round(average(memory.map((entry) => entry.processes))),
    };
    const rows: [string, string, string][] = [
      ["create → booted p50", `${results.createP50Ms} ms`, "≤ 1500 ms"],
      ["create → booted p90", `${results.createP90Ms} ms`, ""],
      [`create p50 while 0…${COUNT - 1} others run`, `${results.createP50With0To19RunningMs} ms`, ""],
      ["destroy p50", `${results.destroyP50Ms} ms`, "≤ 1000 ms"],
      ["destroy p90", `${results.destroyP90Ms} ms`, ""],
      [`backend list, ${COUNT} running`, `${results.backendListP50Ms} ms`, "< 100 ms"],
      [`core list, ${COUNT} running`, `${results.coreListP50Ms} ms`, "< 100 ms"],
      ["idle container RSS (sum of its processes)", `${results.idleRssMiB} MiB`, ""],
      ["idle container PSS", `${results.idlePssMiB} MiB`, ""],
      ["idle container cgroup memory (incl. page cache)", `${results.idleCgroupMiB} MiB`, ""],
    ];
    for (const [label, value, target] of rows) console.log(`${label.padEnd(48)} ${value.padStart(10)}  ${target}`);
    console.log(JSON.stringify(results));
  } finally {
    await app.close();
    await env.cleanup(false);
  }
}

await main();
