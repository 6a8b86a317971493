/**
 * The QEMU runtime passes the lean runtime conformance subset on real QEMU (TCG when KVM is
 * unusable, which is slow): one VM, one stop/start cycle, exec and an SSH gateway session over its pinned SSH, the
 * capability checks (console, disk-image root with allocated bytes). The base image is the one
 * the VM end-to-end test caches under `VOXNIX_TEST_CACHE` (built here when missing). Needs root
 * and qemu; skipped otherwise.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { runtimeConformance } from "./runtime.js";
import { CACHE_DIR } from "../e2e/harness.js";
import { configSchema } from "../../src/app/config-schema.js";
import { validateVmSpec } from "../../src/domain/vm-spec.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { createProcessSpawner } from "../../src/host/process-spawner.js";
import { createQemuRuntime, currentImage } from "../../src/runtimes/qemu/index.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";
import { directoryDiskVolumes } from "../../src/backends/storage/directory-disks.js";

function qemuUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "the QEMU runtime's conformance run needs root";
  for (const tool of [
    "/usr/bin/qemu-system-x86_64",
    "/usr/bin/qemu-img",
    "/usr/sbin/debootstrap",
    "/usr/bin/ssh",
    "/usr/sbin/mkfs.ext4",
  ]) {
    if (!existsSync(tool)) return `${tool} is missing`;
  }
  return undefined;
}

runtimeConformance({
  label: "qemu (real, TCG)",
  unavailable: qemuUnavailable,
  lean: true,
  timeoutMs: 10 * 60_000,
  async setup() {
    const root = mkdtempSync("/var/tmp/vx-conformance-vm-");
    const config = configSchema.parse({
      vm: {
        imageDir: path.join(CACHE_DIR, "vm-images"),
        packageCache: path.join(CACHE_DIR, "vm-debs"),
        bootTimeoutSeconds: 480,
        stopTimeoutSeconds: 60,
      },
    });
    const leases = {
      allocate: () => "",
      get: () => undefined,
      release: () => undefined,
      all: () => new Map<string, string>(),
    };
    const runner = createCommandRunner();
    const runtime = createQemuRuntime({
      config,
      stateDir: path.join(root, "state"),
      runner,
      spawner: createProcessSpawner(),
      logger: silentLogger,
      clock: systemClock,
      leases,
      catalog: createFixtureCatalog(),
      diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
    });
    if (currentImage(runtime.paths.images, config.vm.suite) === undefined)
      await runtime.buildImages({ onProgress: () => undefined });
    const workspace = (name: string) => {
      const dir = path.join(root, "workspaces", name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    return {
      runtime,
      spec: (name) => validateVmSpec({ name, cpus: 1, memory: "512M", disk: "3G", workspace: "64M" }, runtime.policy()),
      host: (name) => ({ ownerLabel: "local:conformance", workspaceHostPath: workspace(name) }),
      async cleanup() {
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
});
