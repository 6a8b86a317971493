/**
 * The btrfs storage driver passes the storage conformance suite for real: a loop image, a
 * subvolume per workspace in the user's level-1 qgroup, a write past the quota refused by the
 * kernel. Needs root and btrfs-progs; skipped otherwise.
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { storageConformance } from "./storage.js";
import { configSchema } from "../../src/app/config-schema.js";
import { createBtrfsStorage, resolveBtrfsPaths, unmountPool } from "../../src/backends/storage/btrfs/index.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";

/** Writes `bytes` into a new file, syncing as it goes; "refused" when the file system says EDQUOT or ENOSPC. */
async function write(hostPath: string, bytes: number): Promise<"written" | "refused"> {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const descriptor = openSync(path.join(hostPath, `fill-${bytes}`), "w");
  try {
    for (let written = 0; written < bytes; written += chunk.length) writeSync(descriptor, chunk);
    return "written";
  } catch (error) {
    // Node has no name for EDQUOT (errno 122 on Linux) and reports it as UNKNOWN.
    const code = error as NodeJS.ErrnoException;
    if (code.errno === -122 || code.code === "ENOSPC") return "refused";
    throw error;
  } finally {
    try {
      closeSync(descriptor);
    } catch {
      // close can report the same quota error
    }
  }
}

storageConformance({
  label: "btrfs (real loop image)",
  unavailable: () =>
    process.getuid?.() !== 0 || !existsSync("/usr/bin/btrfs") ? "needs root and btrfs-progs" : undefined,
  async setup() {
    const root = mkdtempSync("/var/tmp/vx-conformance-btrfs-");
    const leases = {
      allocate: () => "",
      get: () => undefined,
      release: () => undefined,
      all: () => new Map<string, string>(),
    };
    const config = configSchema.parse({ storage: { driver: "btrfs", btrfs: { imageSize: "1G" } } });
    const deps = {
      config,
      stateDir: root,
      runner: createCommandRunner(),
      logger: silentLogger,
      clock: systemClock,
      leases,
      catalog: createFixtureCatalog(),
    };
    return {
      storage: createBtrfsStorage(deps),
      write,
      async cleanup() {
        await unmountPool(deps.runner, resolveBtrfsPaths(deps)).catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
});
