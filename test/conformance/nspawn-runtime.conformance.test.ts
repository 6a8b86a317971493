/**
 * The nspawn runtime passes the runtime conformance suite for real: root, systemd-nspawn,
 * a btrfs pool on a loop image, a bridge and leases in a real SQLite database, all in a
 * throw-away installation of the end-to-end harness (its own state dir, bridge and subnet),
 * removed afterwards. Skipped, saying why, on a host that cannot run containers.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { runtimeConformance } from "./runtime.js";
import { containerSpec } from "./specs.js";
import { createE2eEnv, e2eUnavailable, type E2eEnv } from "../e2e/harness.js";
import { configSchema } from "../../src/app/config-schema.js";
import { createNspawnRuntime } from "../../src/runtimes/nspawn/index.js";
import { createBtrfsStorage } from "../../src/backends/storage/btrfs/index.js";
import { openDatabase } from "../../src/state/database.js";
import { createAddressLeases } from "../../src/state/address-leases.js";
import { createProcessSpawner } from "../../src/host/process-spawner.js";
import { systemClock } from "../../src/ports/clock.js";
import { silentLogger } from "../../src/ports/logger.js";
import { createFixtureCatalog } from "../fakes/fixture-catalog.js";

runtimeConformance({
  label: "nspawn (real)",
  unavailable: e2eUnavailable,
  timeoutMs: 180_000,
  async setup() {
    const env: E2eEnv = await createE2eEnv();
    const config = configSchema.parse(JSON.parse(readFileSync(env.configFile, "utf8")));
    const stateDir = config.stateDir ?? path.join(env.root, "state");
    const database = openDatabase(path.join(stateDir, "conformance.db"));
    const deps = {
      config,
      stateDir,
      runner: env.runner,
      logger: silentLogger,
      clock: systemClock,
      leases: createAddressLeases(database),
      catalog: createFixtureCatalog(),
    };
    // The roots come from the btrfs driver's root volumes, as in the app.
    const storage = createBtrfsStorage(deps);
    const runtime = createNspawnRuntime({
      ...deps,
      spawner: createProcessSpawner(),
      rootVolumes: (request) => storage.rootVolumes!(request),
    });
    return {
      runtime,
      spec: (name) => containerSpec(name),
      host: () => ({ ownerLabel: "local:conformance" }),
      async cleanup() {
        database.close();
        await env.cleanup(false);
      },
    };
  },
});
