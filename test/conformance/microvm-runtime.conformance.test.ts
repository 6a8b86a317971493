/**
 * The microvm runtime passes the runtime conformance suite on a fake NixOS appliance
 * (`test/fakes/bin/microvm`: fake `nix` checking the spec with the real validate-vm.nix, fake
 * `systemctl` running the fake runner; the "guest" is a real sshd, so exec is real ssh with the
 * pinned key). Needs root (sshd) and nix-instantiate; skipped otherwise.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeConformance } from "./runtime.js";
import { configSchema } from "../../src/app/config-schema.js";
import { validateVmSpec } from "../../src/domain/vm-spec.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { createMicrovmRuntime } from "../../src/runtimes/microvm/index.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";
import { ED25519 } from "../fakes/fixture-ssh-keys.js";

const FAKE_BIN = fileURLToPath(new URL("../fakes/bin/microvm", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

runtimeConformance({
  label: "microvm (fake appliance, real sshd guest)",
  unavailable() {
    if (process.getuid?.() !== 0) return "needs root (the fake guest is a real sshd)";
    for (const tool of ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/nix-instantiate"]) if (!existsSync(tool)) return `${tool} is missing`;
    return undefined;
  },
  timeoutMs: 120_000,
  async setup() {
    const root = mkdtempSync(join(tmpdir(), "vx-conformance-microvm-"));
    const stateDir = join(root, "var", "lib", "microvms");
    const config = configSchema.parse({
      vm: { runtime: "microvm", bootTimeoutSeconds: 30, stopTimeoutSeconds: 5 },
      microvm: { flake: REPO, stateDir, root: join(root, "voxnix", "microvm"), commandTimeoutSeconds: 30 },
    });
    const runner = createCommandRunner({ baseEnv: { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`, FAKE_HOST_ROOT: root, FAKE_MICROVM_STATE_DIR: stateDir }, killGraceMs: 300 });
    const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map<string, string>() };
    const runtime = createMicrovmRuntime({ config, stateDir: join(root, "voxnix"), runner, logger: silentLogger, clock: systemClock, leases, catalog: createFixtureCatalog() });
    return {
      runtime,
      spec: (name) => validateVmSpec({ kind: "vm", name, cpus: 1, memory: "1G", disk: "3G", workspace: "256M", sshKeys: [ED25519] }),
      host: () => ({ ownerLabel: "local:conformance" }),
      cleanup: async () => rmSync(root, { recursive: true, force: true }),
    };
  },
});
