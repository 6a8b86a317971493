/**
 * The QEMU runtime's costs on this machine: create → SSH ready (the target: p50 ≤ 15 s
 * under TCG, ≤ 5 s with KVM), how that splits (making the disks; QEMU and firmware until the
 * guest kernel starts; kernel and initrd; systemd until the ready marker, read from the guest's
 * own monotonic clock; the host noticing), the first exec over SSH, an ACPI stop, and QEMU's
 * host memory for a 512 MiB guest with voxnix's translation cache (`vm.tbSizeMiB`, 256)
 * against QEMU's default (1024), measured in one run so the machine's load affects both alike.
 * The accelerator and the load average are in the output: under TCG on a shared machine the
 * load decides most of the number, so compare runs by their load.
 *
 * Run (root, qemu installed, the VM base image cached or built first):
 *   node --import tsx bench/vm.bench.ts     (ROUNDS=3 by default)
 *
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { configSchema } from "../src/app/config-schema.js";
import { createQemuRuntime, currentImage, type QemuRuntime } from "../src/runtimes/qemu/index.js";
import type { WorkloadName } from "../src/domain/names.js";
import { validateVmSpec } from "../src/domain/vm-spec.js";
import { createCommandRunner } from "../src/host/command-runner.js";
import { CACHE_DIR } from "../test/e2e/harness.js";
import { directoryDiskVolumes } from "../src/backends/storage/directory-disks.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const GUEST_MIB = 512;
const noop = () => undefined;
const silent = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function runtimeWith(root: string, tbSizeMiB: number): QemuRuntime {
  const config = configSchema.parse({
    vm: {
      imageDir: path.join(CACHE_DIR, "vm-images"),
      packageCache: path.join(CACHE_DIR, "vm-debs"),
      tbSizeMiB,
      bootTimeoutSeconds: 600,
    },
  });
  const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
  const runner = createCommandRunner();
  return createQemuRuntime({
    config,
    stateDir: path.join(root, `state-${tbSizeMiB}`),
    runner,
    logger: silent,
    clock: { now: () => new Date() },
    leases,
    catalog: { list: () => [], get: () => undefined },
    diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
  });
}

/** Parses a size like "531.8M" from `show` back to MiB. */
const mib = (text: string | undefined): number => {
  const match = /^([\d.]+)([KMG])$/.exec(text ?? "");
  if (!match) return Number.NaN;
  return Number(match[1]) * { K: 1 / 1024, M: 1, G: 1024 }[match[2] as "K" | "M" | "G"];
};

/** When the guest's systemd started and when voxnix-ready ran, in ms of the guest's monotonic clock (kernel start = 0). */
async function guestPhases(
  runtime: QemuRuntime,
  name: WorkloadName,
): Promise<{ readonly userspaceAtMs: number; readonly readyAtMs: number }> {
  const result = await runtime.exec(
    name,
    [
      "sh",
      "-c",
      "systemctl show -p UserspaceTimestampMonotonic --value; systemctl show -p InactiveExitTimestampMonotonic --value voxnix-ready.service",
    ],
    { timeoutMs: 120_000 },
  );
  const [userspace, ready] = result.stdout
    .trim()
    .split("\n")
    .map((line) => Number(line) / 1000);
  return { userspaceAtMs: userspace ?? Number.NaN, readyAtMs: ready ?? Number.NaN };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/qemu-system-x86_64")) {
    console.log(JSON.stringify({ skipped: "needs root and qemu-system-x86" }));
    return;
  }
  const root = mkdtempSync("/var/tmp/vx-vm-bench-");
  const tuned = runtimeWith(root, 256);
  const stock = runtimeWith(root, 1024);
  try {
    if (currentImage(tuned.paths.images, "bookworm") === undefined) await tuned.buildImages({ onProgress: noop });
    const load = loadavg()[0];
    const createToSsh: number[] = [];
    const disks: number[] = [];
    const firstExec: number[] = [];
    const stops: number[] = [];
    const phases: Record<"kernelAndInitrd" | "systemdToReady" | "beforeKernel", number[]> = {
      kernelAndInitrd: [],
      systemdToReady: [],
      beforeKernel: [],
    };
    const loads: number[] = [];
    const rss: Record<"tuned" | "stock", number[]> = { tuned: [], stock: [] };
    let accelerator = "";
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, runtime] of [
        ["tuned", tuned],
        ["stock", stock],
      ] as const) {
        const name = `b${label[0]}${round}` as WorkloadName;
        const spec = validateVmSpec(
          { name, cpus: 2, memory: `${GUEST_MIB}M`, disk: "3G", workspace: "128M" },
          runtime.policy(),
        );
        const started = performance.now();
        let disksDone = 0;
        await runtime.create(spec, {
          ownerLabel: "bench",
          onProgress: (event) => event.type === "step" && event.step === "starting" && (disksDone = performance.now()),
        });
        const ready = performance.now();
        const exec = await runtime.exec(name, ["true"], { timeoutMs: 120_000 });
        if (exec.exitCode !== 0) throw new Error(`exec failed: ${exec.stderr}`);
        const executed = performance.now();
        loads.push(loadavg()[0] ?? Number.NaN);
        if (label === "tuned") {
          const guest = await guestPhases(runtime, name);
          phases.kernelAndInitrd.push(guest.userspaceAtMs);
          phases.systemdToReady.push(guest.readyAtMs - guest.userspaceAtMs);
          // QEMU's start, the firmware and loading the kernel: the host's boot wait minus the guest's clock at the marker.
          phases.beforeKernel.push(ready - disksDone - guest.readyAtMs);
        }
        const details = await runtime.show(name);
        rss[label].push(mib(details?.facts["host memory"]));
        accelerator = details?.facts.accelerator ?? "";
        if (label === "tuned") {
          createToSsh.push(ready - started);
          disks.push(disksDone - started);
          firstExec.push(executed - ready);
          const stopping = performance.now();
          await runtime.stop(name, { onProgress: noop });
          stops.push(performance.now() - stopping);
        }
        await runtime.destroy(name, { onProgress: noop });
      }
    }
    const p50 = (values: number[]) => Math.round(percentile(values, 0.5));
    const target = accelerator === "kvm" ? 5000 : 15_000;
    console.log(
      JSON.stringify(
        {
          accelerator,
          rounds: ROUNDS,
          loadAverageAtStart: load,
          guest: { cpus: 2, memory: "512M" },
          createToSshMs: { p50: p50(createToSsh), all: createToSsh.map(Math.round) },
          disksMs: { p50: p50(disks) },
          bootToSshMs: { p50: p50(createToSsh.map((total, index) => total - (disks[index] ?? 0))) },
          // The guest's monotonic clock: kernel start → systemd, systemd → voxnix-ready; the rest (QEMU, firmware, the host's polling) is beforeKernel.
          bootPhasesMs: {
            kernelAndInitrd: p50(phases.kernelAndInitrd),
            systemdToReady: p50(phases.systemdToReady),
            qemuFirmwareAndHost: p50(phases.beforeKernel),
          },
          loadAverage: { atStart: load, min: Math.min(...loads), max: Math.max(...loads) },
          firstExecMs: { p50: p50(firstExec) },
          acpiStopMs: { p50: p50(stops) },
          qemuRssMiB: {
            tbSize256: p50(rss.tuned),
            tbSize1024: p50(rss.stock),
            ratio: Math.round((percentile(rss.tuned, 0.5) / percentile(rss.stock, 0.5)) * 100) / 100,
          },
          // Host memory per VM beyond the guest's own RAM (negative: the guest has not touched all of it yet).
          perVmOverheadMiB: {
            tbSize256: p50(rss.tuned.map((value) => value - GUEST_MIB)),
            tbSize1024: p50(rss.stock.map((value) => value - GUEST_MIB)),
          },
          target: {
            createToSshP50Ms: target,
            met: percentile(createToSsh, 0.5) <= target,
            ratio: Math.round((percentile(createToSsh, 0.5) / target) * 100) / 100,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    for (const runtime of [tuned, stock])
      for (const vm of await runtime.list().catch(() => []))
        await runtime.destroy(vm.name as WorkloadName, { onProgress: noop }).catch(noop);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
