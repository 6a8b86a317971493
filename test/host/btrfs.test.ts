/**
 * The btrfs storage driver on a real loop image (root only): pool creation and re-mount after a
 * "reboot" (unmount), level-1 qgroup quotas that really refuse writes across several
 * workspaces, usage, snapshots that survive the workspace, and restore.
 *
 * @module
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { configSchema } from "../../src/app/config-schema.js";
import {
  createBtrfsStorage,
  poolMounted,
  resolveBtrfsPaths,
  unmountPool,
} from "../../src/backends/storage/btrfs/index.js";
import { createCommandRunner } from "../../src/host/command-runner.js";

const skip = process.getuid?.() !== 0 || !existsSync("/usr/bin/btrfs") ? "needs root and btrfs-progs" : undefined;

/** Writes `megabytes` of data; returns the error code if a write failed. */
function writeMegabytes(file: string, megabytes: number): string | undefined {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const descriptor = openSync(file, "w");
  try {
    for (let index = 0; index < megabytes; index += 1) writeSync(descriptor, chunk);
    return undefined;
  } catch (error) {
    // Node has no name for EDQUOT (errno 122 on Linux) and reports it as UNKNOWN.
    const errno = (error as NodeJS.ErrnoException).errno;
    return errno === -122 ? "EDQUOT" : String((error as NodeJS.ErrnoException).code);
  } finally {
    try {
      closeSync(descriptor);
    } catch {
      // close can report the same quota error
    }
  }
}

describe("btrfs storage on a loop image", { skip, timeout: 120_000 }, () => {
  const root = skip ? "" : mkdtempSync("/var/tmp/vx-btrfs-");
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  const config = configSchema.parse({ storage: { driver: "btrfs", btrfs: { imageSize: "1G" } } });
  const deps = {
    config,
    stateDir: root,
    runner: createCommandRunner(),
    logger,
    clock: { now: () => new Date() },
    leases: { allocate: () => "", get: () => undefined, release: noop, all: () => new Map() },
    catalog: { list: () => [], get: () => undefined },
  };
  const paths = resolveBtrfsPaths(deps);
  let storage = createBtrfsStorage(deps);

  before(async () => {
    await storage.ensureReady();
  });
  after(async () => {
    await unmountPool(deps.runner, paths).catch(noop);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("creates the image and mounts it, and mounts it again after an unmount", async () => {
    assert.ok(existsSync(paths.image));
    assert.ok(poolMounted(paths));
    assert.equal(storage.info().quotas, true);
    await unmountPool(deps.runner, paths);
    assert.equal(poolMounted(paths), false);
    storage = createBtrfsStorage(deps);
    await storage.ensureReady();
    assert.ok(poolMounted(paths));
  });

  it("enforces one quota across all of a user's workspaces", async () => {
    await storage.ensureUser("telegram_42", 64 * 1024 ** 2);
    const first = await storage.createWorkspace("telegram_42", "web");
    const second = await storage.createWorkspace("telegram_42", "api");
    assert.equal(writeMegabytes(path.join(first.hostPath, "a"), 40), undefined);
    await deps.runner.run("sync", [], { timeoutMs: 30_000 });
    assert.equal(
      writeMegabytes(path.join(second.hostPath, "b"), 40),
      "EDQUOT",
      "the second workspace hits the user's quota",
    );
    const usage = await storage.userUsage("telegram_42");
    assert.equal(usage.quotaBytes, 64 * 1024 ** 2);
    assert.ok(usage.usedBytes >= 40 * 1024 ** 2, `used ${usage.usedBytes}`);
    assert.ok((await storage.workspaceUsage("telegram_42", "web")).usedBytes >= 40 * 1024 ** 2);
    rmSync(path.join(second.hostPath, "b"), { force: true });
    rmSync(path.join(first.hostPath, "a"), { force: true });
    // Freed space counts again once the transaction commits.
    await deps.runner.run("sync", [], { timeoutMs: 30_000 });
  });

  it("keeps another user's quota separate", async () => {
    await storage.ensureUser("telegram_43", 64 * 1024 ** 2);
    const other = await storage.createWorkspace("telegram_43", "web");
    assert.equal(writeMegabytes(path.join(other.hostPath, "c"), 30), undefined);
  });

  it("keeps snapshots after the workspace is deleted and restores from them", async () => {
    const { hostPath } = await storage.createWorkspace("telegram_42", "keep");
    writeFileSync(path.join(hostPath, "note.txt"), "hello");
    const snapshot = await storage.snapshotWorkspace("telegram_42", "keep", "t1");
    await storage.deleteWorkspace("telegram_42", "keep");
    assert.equal(await storage.workspaceExists("telegram_42", "keep"), false);
    const restored = await storage.restoreWorkspace(snapshot, "telegram_42", "keep");
    assert.equal(readFileSync(path.join(restored.hostPath, "note.txt"), "utf8"), "hello");
    writeFileSync(path.join(restored.hostPath, "note.txt"), "changed");
    await storage.deleteSnapshot(snapshot);
    await storage.deleteSnapshot(snapshot);
    assert.equal(
      readFileSync(path.join(restored.hostPath, "note.txt"), "utf8"),
      "changed",
      "the restored workspace is writable and independent",
    );
  });
});
