/**
 * What the confined exec's entry costs, measured in one run so the machine's load cancels out:
 * `true` executed in one running container, in turn through the entry voxnix uses (one host
 * perl program: the container's namespaces, bounding set and seccomp filters, then the command
 * itself, see `src/runtimes/nspawn/enter.ts`), the D-Bus entry it replaced (host perl, then the
 * host's systemd-run asking the container's systemd for a transient service,
 * `bench/dbus-entry.ts`), and the path before that (`nsenter --all` and the container's own
 * systemd-run). All run under the same launcher. Also the whole `ctl exec` through the bundled
 * CLI (Node start-up included).
 *
 * Run (root): node --import tsx bench/exec.bench.ts   (ROUNDS=30 by default)
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { cgroupProcsFiles } from "../src/runtimes/nspawn/cgroups.js";
import { entryCall } from "../src/runtimes/nspawn/enter.js";
import { LAUNCHER_SHELL, launcherArgs } from "../src/runtimes/nspawn/launcher.js";
import { containerEnvironment } from "../src/runtimes/nspawn/nspawn-cli.js";
import { enterArgv, serviceCall } from "./dbus-entry.js";
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
    const direct = entryCall(leader, ["true"], { env: containerEnvironment() });
    const paths = {
      entry: { argv: launcherArgs(procs, direct.argv), env: direct.env },
      dbus: { argv: launcherArgs(procs, enterArgv(leader, call.args)), env: call.env },
      nsenter: {
        argv: launcherArgs(procs, [
          "nsenter",
          "--target",
          String(leader),
          "--all",
          "--wd",
          "--",
          "/usr/bin/systemd-run",
          ...call.args,
        ]),
        env: call.env,
      },
    };
    const times: Record<keyof typeof paths, number[]> = { entry: [], dbus: [], nsenter: [] };
    const once = async (which: keyof typeof paths, record: boolean) => {
      const started = performance.now();
      const result = await env.runner.run(LAUNCHER_SHELL, paths[which].argv, {
        env: paths[which].env,
        isolatedEnv: true,
        timeoutMs: 30_000,
      });
      if (result.exitCode !== 0) throw new Error(`${which}: exit ${result.exitCode}: ${result.stderr}`);
      if (record) times[which].push(performance.now() - started);
    };
    const all = ["entry", "dbus", "nsenter"] as const;
    for (let round = 0; round < 3; round++) for (const which of all) await once(which, false);
    for (let round = 0; round < ROUNDS; round++) {
      // A different order each round, so no path always follows the same one.
      for (let index = 0; index < all.length; index++) await once(all[(index + round) % all.length]!, true);
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
    const dbus = summary(times.dbus);
    const nsenter = summary(times.nsenter);
    console.log(
      JSON.stringify(
        {
          rounds: ROUNDS,
          load: (await import("node:os")).loadavg()[0],
          entryMs: entry,
          dbusEntryMs: dbus,
          nsenterMs: nsenter,
          ratioP50VsDbusEntry: Number((entry.p50 / dbus.p50).toFixed(2)),
          ratioP50VsNsenter: Number((entry.p50 / nsenter.p50).toFixed(2)),
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
