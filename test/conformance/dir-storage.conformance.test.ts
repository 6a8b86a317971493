/**
 * The dir storage driver passes the storage conformance suite on plain directories (no
 * quotas, which it reports as data; snapshots are full copies).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { storageConformance } from "./storage.js";
import { configSchema } from "../../src/app/config-schema.js";
import { createDirStorage } from "../../src/backends/storage/dir/index.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";

storageConformance({
  label: "dir (plain directories)",
  async setup() {
    const root = mkdtempSync(path.join(tmpdir(), "vx-conformance-dir-"));
    const leases = {
      allocate: () => "",
      get: () => undefined,
      release: () => undefined,
      all: () => new Map<string, string>(),
    };
    const config = configSchema.parse({ storage: { driver: "dir" } });
    const storage = createDirStorage({
      config,
      stateDir: root,
      runner: createCommandRunner(),
      logger: silentLogger,
      clock: systemClock,
      leases,
      catalog: createFixtureCatalog(),
    });
    return { storage, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
  },
});
