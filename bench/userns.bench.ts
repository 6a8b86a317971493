/**
 * What user namespaces cost at boot, measured in one run so the machine's load cancels out:
 * the same container root booted alternately with voxnix's boot arguments (user namespace,
 * idmapped root, workspace and boot files) and with the user-namespace flags removed, each
 * until the readiness unit ran. Also the full request → booted time through the core, which
 * is the target (p50 ≤ 1.5 s with user namespaces on).
 *
 * Run (root): node --import tsx bench/userns.bench.ts   (ROUNDS=8 by default)
 *
 * @module
 */
import { rmSync } from "node:fs";
import { prepareCgroups, removeCgroups } from "../src/runtimes/nspawn/cgroups.js";
import { nspawnBootArgs } from "../src/runtimes/nspawn/nspawn-cli.js";
import { cgroupName, machinePaths } from "../src/runtimes/nspawn/paths.js";
import { machineUuid, writeBootFiles } from "../src/runtimes/nspawn/rootfs.js";
import { killNspawn, spawnNspawn, waitForBoot } from "../src/runtimes/nspawn/supervisor.js";
import { parseSubnet } from "../src/runtimes/nspawn/network.js";
import type { ContainerSpec } from "../src/domain/spec.js";
import { createE2eEnv, destroyConfirmed, e2eUnavailable } from "../test/e2e/harness.js";

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const actor = { userId: "local:admin" as const };
const USERNS_FLAGS = ["--private-users=pick", "--private-users-ownership=auto"];

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const unavailable = e2eUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ skipped: unavailable }));
    return;
  }
  const env = await createE2eEnv({ diskQuota: "2G" });
  const app = await env.app();
  const destroy = (name: string) => destroyConfirmed(app, actor, name);
  try {
    // Request → booted through the core, user namespaces on (warm base image).
    await (await app.core.create(actor, { name: "warm", modules: ["git"] })).wait();
    const creates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await (
        await app.core.create(actor, { name: `c${round}`, modules: ["git"], workspace: { enabled: false } })
      ).wait();
      creates.push(performance.now() - started);
      await destroy(`c${round}`);
    }

    // The same root booted with and without the user-namespace flags, alternating.
    await app.core.stop(actor, "warm");
    const backend = env.backend();
    const machine = machinePaths(backend.paths, "warm");
    const spec = {
      name: "warm",
      modules: ["git"],
      resources: { cpus: 1, memoryBytes: 1024 ** 3 },
    } as unknown as ContainerSpec;
    const files = writeBootFiles(machine, {
      spec,
      network: { interfaceName: "lo", address: "127.0.0.2", subnet: parseSubnet("10.0.0.0/24") },
    }).filter((file) => !file.containerPath.includes("network"));
    const withUserns = [
      "--private-network",
      ...nspawnBootArgs({ name: "warm", root: machine.root, files, uuid: machineUuid(machine) }),
    ];
    const without = withUserns.filter((arg) => !USERNS_FLAGS.includes(arg)).map((arg) => arg.replace(/:idmap$/, ""));
    const boots: Record<"userns" | "plain", number[]> = { userns: [], plain: [] };
    const group = cgroupName(backend.paths, "warm");
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, args] of [
        ["userns", withUserns],
        ["plain", without],
      ] as const) {
        await prepareCgroups(env.runner, group, { cpus: 2, memoryBytes: 1024 ** 3, pids: 512 });
        const started = performance.now();
        const pid = spawnNspawn(machine, args, group);
        await waitForBoot(machine, pid, 60_000);
        boots[variant].push(performance.now() - started);
        await killNspawn(machine, pid);
        removeCgroups(group);
        rmSync(machine.pidFile, { force: true });
      }
    }
    const p50 = (values: number[]) => Math.round(percentile(values, 0.5));
    const result = {
      rounds: ROUNDS,
      createToBootedP50Ms: p50(creates),
      createToBootedP90Ms: Math.round(percentile(creates, 0.9)),
      bootWithUsernsP50Ms: p50(boots.userns),
      bootWithoutUsernsP50Ms: p50(boots.plain),
      usernsToPlainRatio: Number((percentile(boots.userns, 0.5) / percentile(boots.plain, 0.5)).toFixed(2)),
    };
    console.log(
      `request → booted (user namespaces on): p50 ${result.createToBootedP50Ms} ms, p90 ${result.createToBootedP90Ms} ms (target p50 ≤ 1500 ms)`,
    );
    console.log(
      `same root booted: with user namespace p50 ${result.bootWithUsernsP50Ms} ms, without ${result.bootWithoutUsernsP50Ms} ms (ratio ${result.usernsToPlainRatio})`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await app.close();
    await env.cleanup(false);
  }
}

await main();
