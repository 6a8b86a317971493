import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../../../src/app/config-schema.js";
import { corePolicy, createApp, DATABASE_FILE, selectStorageDriver } from "../../../src/app/create-app.js";
import { silentLogger } from "../../../src/ports/logger.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";

describe("createApp", () => {
  it("creates the state directory (0700) and database, and wires the configured backend and storage", async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), "voxnix-app-")), "state");
    const runner = new FakeCommandRunner();
    const app = await createApp({
      env: { VOXNIX_STATE_DIR: stateDir, VOXNIX_BACKEND: "nixos", VOXNIX_STORAGE_DRIVER: "dir" },
      logger: silentLogger,
      runner,
    });
    try {
      assert.equal(statSync(stateDir).mode & 0o777, 0o700);
      assert.ok(existsSync(join(stateDir, DATABASE_FILE)));
      assert.equal(app.runtimes.forKind("container")?.info().name, "nixos");
      assert.equal(app.storage.info().name, "dir");
      assert.equal(app.runner, runner);
      assert.ok(app.catalog.list().length > 0);
      const me = await app.core.whoami({ userId: "local:admin" });
      assert.equal(me.role, "admin");
    } finally {
      await app.close();
    }
    await app.close(); // a second close is harmless
  });

  it("picks the VM runtime `vm.runtime` names from the runtime table; none and auto without Proxmox run no VMs", async () => {
    const root = mkdtempSync(join(tmpdir(), "voxnix-app-"));
    const vmRuntimeOf = async (runtime: string) => {
      const configFile = join(root, `${runtime}.json`);
      writeFileSync(configFile, JSON.stringify({ storage: { driver: "dir" }, vm: { runtime } }));
      const app = await createApp({
        env: { VOXNIX_CONFIG: configFile, VOXNIX_STATE_DIR: join(root, runtime) },
        logger: silentLogger,
        runner: new FakeCommandRunner(),
      });
      try {
        return app.runtimes.forKind("vm")?.info().name;
      } finally {
        await app.close();
      }
    };
    assert.equal(await vmRuntimeOf("qemu"), "qemu");
    assert.equal(await vmRuntimeOf("microvm"), "microvm");
    assert.equal(await vmRuntimeOf("none"), undefined);
    assert.equal(await vmRuntimeOf("auto"), undefined);
  });
});

describe("selectStorageDriver", () => {
  it("defaults to btrfs for nspawn and zfs for nixos, unless configured", () => {
    assert.equal(selectStorageDriver(configSchema.parse({ backend: "nspawn" })), "btrfs");
    assert.equal(selectStorageDriver(configSchema.parse({ backend: "nixos" })), "zfs");
    assert.equal(selectStorageDriver(configSchema.parse({ backend: "nixos", storage: { driver: "dir" } })), "dir");
  });
});

describe("corePolicy", () => {
  it("converts configuration units and always includes local:admin", () => {
    const policy = corePolicy(
      configSchema.parse({
        users: { admins: ["telegram:1"] },
        confirmations: { ttlSeconds: 60 },
        snapshots: { undoWindowHours: 2 },
        resources: { maxMemory: "4G" },
      }),
    );
    assert.deepEqual(policy.admins, ["local:admin", "telegram:1"]);
    assert.equal(policy.confirmationTtlMs, 60_000);
    assert.equal(policy.undoWindowMs, 2 * 3_600_000);
    assert.equal(policy.resources.maxMemoryBytes, 4 * 1024 ** 3);
    assert.equal(policy.defaultLimits.diskQuotaBytes, 10 * 1024 ** 3);
  });
});
