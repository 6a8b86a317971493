/**
 * What an overlay root (the `dir` driver's) costs to create under user namespaces, before and
 * after building it over an idmapped image, measured in one run so the machine's load cancels
 * out. Each round makes the same root twice, alternating:
 *
 * - chowned (before): an overlay over the plain image, owned by host root; nspawn
 *   (`--private-users=pick --private-users-ownership=auto`) cannot idmap an overlay and chowns
 *   the whole root into its range on the first boot, copying every file up;
 * - idmapped (after): an overlay over an idmapped bind of the image, its upper layer owned by a
 *   range voxnix picked; nspawn reuses the range and changes nothing.
 *
 * Each is timed from the clone until the readiness unit ran, and its upper layer is measured
 * after that first boot (bytes of regular files, and entries). Then the full request → booted
 * time through the core on the dir driver (the path users take, with the change).
 *
 * Run (root): node --import tsx bench/overlay-idmap.bench.ts   (ROUNDS=3 by default)
 *
 * @module
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { prepareCgroups, removeCgroups } from "../src/runtimes/nspawn/cgroups.js";
import { nspawnBootArgs } from "../src/runtimes/nspawn/nspawn-cli.js";
import { cgroupName, machinePaths } from "../src/runtimes/nspawn/paths.js";
import { machineUuid, writeBootFiles } from "../src/runtimes/nspawn/rootfs.js";
import { killNspawn, spawnNspawn, waitForBoot } from "../src/runtimes/nspawn/supervisor.js";
import { parseSubnet } from "../src/runtimes/nspawn/network.js";
import { releaseIdRange, reserveIdRange } from "../src/runtimes/nspawn/id-range.js";
import { createOverlayRoot, removeRootTree } from "../src/backends/storage/directory-roots.js";
import type { ContainerSpec } from "../src/domain/spec.js";
import { createE2eEnv, destroyConfirmed, e2eUnavailable } from "../test/e2e/harness.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const actor = { userId: "local:admin" as const };

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** Bytes of regular files and number of entries under `directory` (lstat only). */
function usage(directory: string): { bytes: number; entries: number } {
  let bytes = 0;
  let entries = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    entries += 1;
    if (entry.isDirectory()) {
      const inner = usage(full);
      bytes += inner.bytes;
      entries += inner.entries;
    } else if (entry.isFile()) bytes += lstatSync(full).size;
  }
  return { bytes, entries };
}

async function main(): Promise<void> {
  const unavailable = e2eUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ skipped: unavailable }));
    return;
  }
  const env = await createE2eEnv({ extraConfig: { storage: { driver: "dir" } } });
  const app = await env.app();
  try {
    // A warm-up create through the core finds the image the rounds clone.
    await (await app.core.create(actor, { name: "warm", modules: ["git"], workspace: { enabled: false } })).wait();
    const backend = env.backend();
    const image = readFileSync(path.join(machinePaths(backend.paths, "warm").layers, "lower"), "utf8").trim();
    await destroyConfirmed(app, actor, "warm");

    const spec = { name: "x", modules: ["git"], resources: { cpus: 1, memoryBytes: 1024 ** 3 } };
    const results: Record<"chowned" | "idmapped", { ms: number[]; bytes: number[]; entries: number[] }> = {
      chowned: { ms: [], bytes: [], entries: [] },
      idmapped: { ms: [], bytes: [], entries: [] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of ["chowned", "idmapped"] as const) {
        const name = `${variant === "chowned" ? "before" : "after"}-${round}`;
        const machine = machinePaths(backend.paths, name);
        mkdirSync(machine.run, { recursive: true });
        const files = writeBootFiles(machine, {
          spec: { ...spec, name } as unknown as ContainerSpec,
          network: { interfaceName: "lo", address: "127.0.0.2", subnet: parseSubnet("10.0.0.0/24") },
        }).filter((file) => !file.containerPath.includes("network"));
        const args = [
          "--private-network",
          ...nspawnBootArgs({ name, root: machine.root, files, uuid: machineUuid(machine) }),
        ];
        const group = cgroupName(backend.paths, name);
        await prepareCgroups(env.runner, group, { cpus: 2, memoryBytes: 1024 ** 3, pids: 512 });
        const started = performance.now();
        const range = variant === "idmapped" ? reserveIdRange(backend.paths, machine) : undefined;
        await createOverlayRoot(env.runner, image, machine, range);
        const pid = spawnNspawn(machine, args, group);
        await waitForBoot(machine, pid, 180_000);
        results[variant].ms.push(performance.now() - started);
        const upper = usage(path.join(machine.layers, "upper"));
        results[variant].bytes.push(upper.bytes);
        results[variant].entries.push(upper.entries);
        await killNspawn(machine, pid);
        removeCgroups(group);
        releaseIdRange(machine);
        await removeRootTree(env.runner, machine);
        rmSync(machine.run, { recursive: true, force: true });
        console.log(
          `round ${round} ${variant}: ${Math.round(results[variant].ms.at(-1)!)} ms, upper ${upper.bytes} bytes in ${upper.entries} entries`,
        );
      }
    }

    const creates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const name = `c${round}`;
      await (await app.core.create(actor, { name, modules: ["git"], workspace: { enabled: false } })).wait();
      creates.push(performance.now() - started);
      console.log(`core create ${round}: ${Math.round(creates.at(-1)!)} ms`);
      await destroyConfirmed(app, actor, name);
    }

    const p50 = (values: number[]) => Math.round(percentile(values, 0.5));
    const summary = Object.fromEntries(
      (["chowned", "idmapped"] as const).map((variant) => [
        variant,
        {
          cloneToBootedP50Ms: p50(results[variant].ms),
          upperBytesP50: p50(results[variant].bytes),
          upperEntriesP50: p50(results[variant].entries),
        },
      ]),
    );
    const result = {
      rounds: ROUNDS,
      ...summary,
      coreCreateP50Ms: p50(creates),
      coreCreateMaxMs: Math.round(Math.max(...creates)),
    };
    for (const variant of ["chowned", "idmapped"] as const) {
      const row = summary[variant]!;
      console.log(
        `${variant}: clone → booted p50 ${row.cloneToBootedP50Ms} ms, upper layer ${(row.upperBytesP50 / 1e6).toFixed(1)} MB in ${row.upperEntriesP50} entries`,
      );
    }
    console.log(`request → booted through the core (dir driver): p50 ${result.coreCreateP50Ms} ms`);
    console.log(JSON.stringify(result));
  } finally {
    await app.close();
    await env.cleanup(false);
  }
}

await main();
