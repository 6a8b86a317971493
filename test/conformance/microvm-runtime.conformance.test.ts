/**
 * The microvm runtime passes the runtime conformance suite over the fake appliance programs
 * (`test/fakes/bin/microvm`: nix, systemctl, journalctl, chown), run through the real command
 * runner on a throw-away host root; the "guest" is a real sshd with the seeded keys, so exec
 * and the terminal go through real ssh with the pinned host key. Needs root (sshd) and
 * nix-instantiate (the fake nix checks each spec with the real validate-vm.nix).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeConformance } from "./runtime.js";
import { configSchema } from "../../src/app/config-schema.js";
import { validateVmSpec } from "../../src/domain/vm-spec.js";
import type { WorkloadName } from "../../src/domain/names.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { createProcessSpawner } from "../../src/host/process-spawner.js";
import { createMicrovmRuntime } from "../../src/runtimes/microvm/index.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";
import { directoryDiskVolumes } from "../../src/backends/storage/directory-disks.js";

const FAKE_BIN = fileURLToPath(new URL("../fakes/bin/microvm", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

runtimeConformance({
  label: "microvm (fake appliance programs)",
  unavailable() {
    if (process.getuid?.() !== 0) return "the fake guest is a real sshd, which needs root";
    for (const tool of ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/nix-instantiate"])
      if (!existsSync(tool)) return `${tool} is missing`;
    return undefined;
  },
  timeoutMs: 120_000,
  async setup() {
    const root = mkdtempSync(path.join(tmpdir(), "voxnix-microvm-conformance-"));
    const stateDir = path.join(root, "var", "lib", "microvms");
    const config = configSchema.parse({
      vm: { runtime: "microvm", bootTimeoutSeconds: 60, stopTimeoutSeconds: 5 },
      microvm: { flake: REPO, stateDir, root: path.join(root, "voxnix", "microvm"), commandTimeoutSeconds: 30 },
    });
    const runner = createCommandRunner({
      baseEnv: {
        ...process.env,
        PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`,
        FAKE_HOST_ROOT: root,
        FAKE_MICROVM_STATE_DIR: stateDir,
      },
      killGraceMs: 300,
    });
    const leases = {
      allocate: () => "",
      get: () => undefined,
      release: () => undefined,
      all: () => new Map<string, string>(),
    };
    const runtime = createMicrovmRuntime({
      config,
      stateDir: path.join(root, "voxnix"),
      runner,
      spawner: createProcessSpawner(),
      logger: silentLogger,
      clock: systemClock,
      leases,
      catalog: createFixtureCatalog(),
      diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
    });
    const workspace = (name: string) => {
      const dir = path.join(root, "workspaces", name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    return {
      runtime,
      spec: (name) => validateVmSpec({ name, cpus: 1, memory: "512M", disk: "3G", workspace: "64M" }),
      host: (name) => ({ ownerLabel: "local:conformance", workspaceHostPath: workspace(name) }),
      async cleanup() {
        for (const vm of await runtime.list().catch(() => []))
          await runtime.destroy(vm.name as WorkloadName, { onProgress: () => undefined }).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
});
