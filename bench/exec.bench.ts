/**
 * What the confined exec's entry costs, measured in one run so the machine's load cancels out:
 * `true` executed in one running container, alternately through the entry voxnix uses (the
 * host's perl clones the container's bus socket and devpts, then the host's systemd-run, see
 * `src/runtimes/nspawn/enter.ts`) and through the path it replaced (`nsenter --all` and the
 * container's own systemd-run). Both run under the same launcher and end in the same transient
 * service of the container's PID 1, so the difference is the entry alone. Also the whole
 * `ctl exec` through the bundled CLI (Node start-up included).
 *
 * Run (root): node --import tsx bench/exec.bench.ts   (ROUNDS=30 by default)
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { cgroupProcsFiles } from "../src/runtimes/nspawn/cgroups.js";
import { enterArgv } from "../src/runtimes/nspawn/enter.js";
import { LAUNCHER_SHELL, launcherArgs } from "../src/runtimes/nspawn/launcher.js";
import { serviceCall } from "../src/runtimes/nspawn/nspawn-cli.js";
import { cgroupName, machinePaths } from "../src/runtimes/nspawn/paths.js";
import { currentLeader, runningPid } from "../src/runtimes/nspawn/supervisor.js";
import { createE2eEnv, e2eUnavailable, voxnix } from "../test/e2e/harness.js";

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const actor = { userId: "local:admin" as const };

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN);
}

async function main(): Promise<void> {
  const unavailable = e2eUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ skipped: unavailable }));
    return;
  }
  const env = await createE2eEnv({});
  const app = await env.app();
  try {
    await (await app.core.create(actor, { name: "bench", modules: ["git"] })).wait();
    const backend = env.backend();
    const machine = machinePaths(backend.paths, "bench");
    const pid = runningPid(machine);
    const leader = pid === undefined ? undefined : currentLeader(machine, pid);
    if (leader === undefined) throw new Error("the container did not start");
    const procs = cgroupProcsFiles(cgroupName(backend.paths, "bench"), "exec");
    const call = serviceCall(["true"], { timeoutMs: 30_000 });
    const paths = {
      entry: launcherArgs(procs, enterArgv(leader, call.args)),
      nsenter: launcherArgs(procs, ["nsenter", "--target", String(leader), "--all", "--wd", "--", "/usr/bin/systemd-run", ...call.args]),
    };
    const times: Record<keyof typeof paths, number[]> = { entry: [], nsenter: [] };
    const once = async (which: keyof typeof paths, record: boolean) => {
      const started = performance.now();
      const result = await env.runner.run(LAUNCHER_SHELL, paths[which], { env: call.env, isolatedEnv: true, timeoutMs: 30_000 });
      if (result.exitCode !== 0) throw new Error(`${which}: exit ${result.exitCode}: ${result.stderr}`);
      if (record) times[which].push(performance.now() - started);
    };
    for (let round = 0; round < 3; round++) for (const which of ["entry", "nsenter"] as const) await once(which, false);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (["entry", "nsenter"] as const) : (["nsenter", "entry"] as const);
      for (const which of order) await once(which, true);
    }
    const cli: number[] = [];
    for (let round = 0; round < Math.min(ROUNDS, 10); round++) {
      const started = performance.now();
      const result = await voxnix(env, ["ctl", "exec", "bench", "--", "true"]);
      if (result.code !== 0) throw new Error(`ctl exec: ${result.stderr}`);
      cli.push(performance.now() - started);
    }
    const summary = (values: number[]) => ({ p50: percentile(values, 0.5), p90: percentile(values, 0.9) });
    const entry = summary(times.entry);
    const nsenter = summary(times.nsenter);
    console.log(
      JSON.stringify(
        {
          rounds: ROUNDS,
          load: (await import("node:os")).loadavg()[0],
          entryMs: entry,
          nsenterMs: nsenter,
          ratioP50: Number((entry.p50 / nsenter.p50).toFixed(2)),
          cliExecMs: summary(cli),
        },
        null,
        2,
      ),
    );
  } finally {
    await app.close();
    await env.cleanup(false);
  }
}

await main();
