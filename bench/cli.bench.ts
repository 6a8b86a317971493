/**
 * CLI start-up: wall time of `node bin/voxnix.js ctl list --json` (aim: p50 < 300 ms), next to
 * `voxnix --help` (no app) and a bare `node -e 0` (the floor), each spawned as a fresh
 * process against a temporary, empty state directory. The backend is whatever the
 * environment selects (`VOXNIX_BACKEND`, default nspawn) and is printed with the results;
 * `ctl list` is timed through the esbuild bundle (`VOXNIX_ENTRY=bundle`, what `bin/voxnix.js`
 * runs after `npm run build`), through the plain tsc output (`VOXNIX_ENTRY=dist`) and through
 * the tsx fallback (`VOXNIX_ENTRY=source`), forced so that sources edited since the last build
 * do not silently switch what is measured. Run `npm run build` first.
 * Storage defaults to the `dir` driver here (override with `VOXNIX_STORAGE_DRIVER`), because
 * the btrfs driver prepares its loop image and mount on first use, which a benchmark should not
 * leave behind; any mount under the temporary state directory is unmounted at the end.
 *
 * Run: node --import tsx bench/cli.bench.ts  (RUNS=30 to change the sample size)
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "voxnix.js");
const RUNS = Number(process.env.RUNS ?? 20);
const SOURCE_RUNS = Math.max(3, Math.floor(RUNS / 4));
const WARMUP = 2;
const TARGET_MS = 300;

interface Row {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly exitCodes: string;
}

function time(name: string, args: readonly string[], env: NodeJS.ProcessEnv, runs = RUNS): Row {
  const samples: number[] = [];
  const codes = new Set<number>();
  for (let index = 0; index < WARMUP + runs; index += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: "utf8" });
    const elapsed = performance.now() - started;
    if (index >= WARMUP) {
      samples.push(elapsed);
      codes.add(result.status ?? -1);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (quantile: number) =>
    samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))] ?? Number.NaN;
  return { name, p50: at(0.5), p95: at(0.95), exitCodes: [...codes].join(",") };
}

const stateDir = mkdtempSync(join(tmpdir(), "voxnix-cli-bench-"));
try {
  const env = {
    ...process.env,
    VOXNIX_STATE_DIR: stateDir,
    VOXNIX_LOG_LEVEL: "silent",
    VOXNIX_STORAGE_DRIVER: process.env.VOXNIX_STORAGE_DRIVER ?? "dir",
  };
  const backend = `${process.env.VOXNIX_BACKEND ?? "nspawn"} (storage ${env.VOXNIX_STORAGE_DRIVER})`;
  const compiled = existsSync(join(ROOT, "dist", "adapters", "cli", "main.js"));
  const bundled = existsSync(join(ROOT, "dist", "bundle", "cli", "main.js"));
  const probe = spawnSync(process.execPath, [BIN, "ctl", "list", "--json"], {
    env: { ...env, VOXNIX_ENTRY: bundled ? "bundle" : "dist" },
    encoding: "utf8",
  });
  const rows = [
    time("node -e 0 (floor)", ["-e", "0"], env),
    time("voxnix --help", [BIN, "--help"], { ...env, VOXNIX_ENTRY: bundled ? "bundle" : "dist" }),
    time("voxnix ctl list --json", [BIN, "ctl", "list", "--json"], {
      ...env,
      VOXNIX_ENTRY: bundled ? "bundle" : "dist",
    }),
    time("ctl list, tsc output", [BIN, "ctl", "list", "--json"], { ...env, VOXNIX_ENTRY: "dist" }),
    time("ctl list, tsx sources", [BIN, "ctl", "list", "--json"], { ...env, VOXNIX_ENTRY: "source" }, SOURCE_RUNS),
  ];
  const list = rows[2]!;

  console.log(
    `CLI start-up, ${RUNS} runs each after ${WARMUP} warm-ups; backend ${backend}; ${bundled ? "bundle" : compiled ? "dist/ (no bundle)" : "tsx fallback (no dist/)"}; ${cpus().length} CPUs, node ${process.version}`,
  );
  console.log(`${"command".padEnd(26)}${"p50 ms".padStart(10)}${"p95 ms".padStart(10)}  exit`);
  for (const row of rows)
    console.log(
      `${row.name.padEnd(26)}${row.p50.toFixed(1).padStart(10)}${row.p95.toFixed(1).padStart(10)}  ${row.exitCodes}`,
    );
  console.log(`ctl list output: ${probe.stdout.trim().slice(0, 200)}`);
  console.log(
    `target: ctl list p50 < ${TARGET_MS} ms -> ${list.p50 < TARGET_MS ? "met" : "NOT met"}; overhead over the node floor: ${(list.p50 - rows[0]!.p50).toFixed(1)} ms`,
  );
  console.log(
    JSON.stringify({
      bench: "cli",
      backend,
      compiled,
      bundled,
      runs: RUNS,
      results: Object.fromEntries(
        rows.map((row) => [
          row.name,
          { p50Ms: Math.round(row.p50 * 10) / 10, p95Ms: Math.round(row.p95 * 10) / 10, exitCodes: row.exitCodes },
        ]),
      ),
      listOverFloorMs: Math.round((list.p50 - rows[0]!.p50) * 10) / 10,
      targetMs: TARGET_MS,
      ok: list.p50 < TARGET_MS,
    }),
  );
} finally {
  // A btrfs run mounts <stateDir>/storage; unmount before removing (a no-op error otherwise).
  spawnSync("umount", [join(stateDir, "storage")], { stdio: "ignore" });
  rmSync(stateDir, { recursive: true, force: true });
}
