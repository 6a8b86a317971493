/**
 * Files the nspawn backend writes into roots (image customisation and per-container settings)
 * and the dir storage driver, on temporary directories: no root needed.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { customiseImage, MASKED_UNITS } from "../../../../src/runtimes/nspawn/image.js";
import {
  adoptOverlayRecord,
  machineUuid,
  prepareRootForBoot,
  rootFiles,
  writeBootFiles,
} from "../../../../src/runtimes/nspawn/rootfs.js";
import { machinePaths, nspawnPaths } from "../../../../src/runtimes/nspawn/paths.js";
import { parseSubnet } from "../../../../src/runtimes/nspawn/network.js";
import { createDirStorage } from "../../../../src/backends/storage/dir/index.js";
import { configSchema } from "../../../../src/app/config-schema.js";
import { ConflictError } from "../../../../src/domain/errors.js";
import type { ContainerSpec } from "../../../../src/domain/spec.js";
import { createCommandRunner } from "../../../../src/host/command-runner.js";

const scratch = mkdtempSync(path.join(tmpdir(), "vx-nspawn-unit-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const spec = (modules: string[]): ContainerSpec =>
  ({
    name: "web",
    modules,
    moduleOptions: {},
    workspace: { enabled: true },
    resources: { cpus: 1, memoryBytes: 1024 ** 3 },
    remoteAccess: false,
  }) as unknown as ContainerSpec;

function fakeTree(name: string): string {
  const root = path.join(scratch, name);
  mkdirSync(path.join(root, "etc"), { recursive: true });
  writeFileSync(
    path.join(root, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n",
  );
  writeFileSync(path.join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
  writeFileSync(path.join(root, "etc/hostname"), "builder\n");
  return root;
}

describe("image customisation", () => {
  it("enables networkd and the readiness unit, masks units, clears identity", () => {
    const root = fakeTree("image");
    customiseImage(root);
    const wants = path.join(root, "etc/systemd/system/multi-user.target.wants");
    assert.equal(readlinkSync(path.join(wants, "voxnix-ready.service")), "/etc/systemd/system/voxnix-ready.service");
    assert.equal(
      readlinkSync(path.join(wants, "systemd-networkd.service")),
      "/lib/systemd/system/systemd-networkd.service",
    );
    assert.match(
      readFileSync(path.join(root, "etc/systemd/system/voxnix-ready.service"), "utf8"),
      /After=multi-user\.target/,
    );
    for (const unit of MASKED_UNITS)
      assert.equal(readlinkSync(path.join(root, "etc/systemd/system", unit)), "/dev/null");
    assert.equal(readFileSync(path.join(root, "etc/machine-id"), "utf8"), "", "each container gets its own machine id");
    assert.equal(existsSync(path.join(root, "etc/hostname")), false);
    assert.ok(existsSync(path.join(root, "var/log/journal")), "a persistent journal the host can read");
    customiseImage(root);
  });
});

describe("per-container root settings", () => {
  const paths = nspawnPaths(scratch);
  const network = { interfaceName: "vc0000000000", address: "10.231.0.9", subnet: parseSubnet("10.231.0.0/24") };

  it("writes the boot files outside the root, as binds, and never touches the tenant's root", () => {
    const machine = { ...machinePaths(paths, "web"), root: fakeTree("machine-binds") };
    mkdirSync(machine.run, { recursive: true });
    // A tenant planted symlinks where the host used to write: nothing may follow them.
    const victim = path.join(scratch, "victim-file");
    writeFileSync(victim, "untouched\n");
    rmSync(path.join(machine.root, "etc/hostname"));
    symlinkSync(victim, path.join(machine.root, "etc/hostname"));
    symlinkSync(victim, path.join(machine.root, "etc/hosts"));
    const before = readdirSync(path.join(machine.root, "etc")).sort();
    const binds = writeBootFiles(machine, { spec: spec(["git", "fish", "workspace"]), network });
    assert.equal(readFileSync(victim, "utf8"), "untouched\n");
    assert.deepEqual(readdirSync(path.join(machine.root, "etc")).sort(), before, "nothing created in the root");
    for (const bind of binds)
      assert.ok(bind.hostPath.startsWith(`${machine.run}/`), `${bind.hostPath} lives in the run directory`);
    const hostname = binds.find((bind) => bind.containerPath === "/etc/hostname");
    assert.equal(readFileSync(hostname?.hostPath ?? "", "utf8"), "web\n");
    const networkFile = binds.find((bind) => bind.containerPath === "/etc/systemd/network/80-voxnix.network");
    assert.match(readFileSync(networkFile?.hostPath ?? "", "utf8"), /Address=10\.231\.0\.9\/24/);
  });

  it("keeps one machine UUID per container across boots", () => {
    const machine = machinePaths(paths, "uuid1");
    mkdirSync(machine.run, { recursive: true });
    const first = machineUuid(machine);
    assert.match(first, /^[0-9a-f]{32}$/);
    assert.equal(machineUuid(machine), first);
    mkdirSync(machinePaths(paths, "uuid2").run, { recursive: true });
    assert.notEqual(machineUuid(machinePaths(paths, "uuid2")), first);
    assert.deepEqual(
      rootFiles({ spec: spec(["git"]), network }).map((file) => file.path),
      ["/etc/hostname", "/etc/hosts", "/etc/voxnix/modules", "/etc/systemd/network/80-voxnix.network"],
    );
  });
});

describe("overlay roots made before the storage port cloned them", () => {
  it("moves the image record from the run directory into the root's layers once, where the port's overlay reads it", () => {
    const paths = nspawnPaths(path.join(scratch, "legacy"));
    const machine = machinePaths(paths, "old");
    mkdirSync(machine.run, { recursive: true });
    mkdirSync(path.join(machine.layers, "upper"), { recursive: true });
    writeFileSync(path.join(machine.run, "lower"), "/images/debian-bookworm-1\n");
    adoptOverlayRecord(machine);
    assert.equal(readFileSync(path.join(machine.layers, "lower"), "utf8"), "/images/debian-bookworm-1\n");
    assert.equal(existsSync(path.join(machine.run, "lower")), false);
    const overlay = createDirStorage({
      ...depsFor(scratch),
      config: configSchema.parse({ storage: { driver: "dir" } }),
    }).rootVolumes?.({ runtime: "nspawn", at: paths.root });
    assert.equal(overlay?.rootKind(machine), "overlay", "the port now sees an overlay root");
    writeFileSync(path.join(machine.run, "lower"), "/images/other\n");
    adoptOverlayRecord(machine);
    assert.equal(
      readFileSync(path.join(machine.layers, "lower"), "utf8"),
      "/images/debian-bookworm-1\n",
      "a record in the layers wins",
    );
    const fresh = machinePaths(paths, "snap");
    mkdirSync(fresh.run, { recursive: true });
    adoptOverlayRecord(fresh);
    assert.equal(existsSync(fresh.layers), false, "a root without an old record (a snapshot) gets no layers");
  });
});

function depsFor(stateDir: string) {
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return {
    stateDir,
    runner: createCommandRunner(),
    logger,
    clock: { now: () => new Date() },
    leases: { allocate: () => "", get: () => undefined, release: noop, all: () => new Map() },
    catalog: { list: () => [], get: () => undefined },
  };
}

describe(
  "a root's top directory before boot",
  { skip: process.getuid?.() === 0 ? undefined : "chown needs root" },
  () => {
    const owner = (file: string) => [lstatSync(file).uid, lstatSync(file).gid];

    it("gives a top directory chowned into another id range back to the owner of /etc, following no link", () => {
      const root = fakeTree("top-given-away");
      const outside = path.join(scratch, "outside-top");
      writeFileSync(outside, "host\n");
      symlinkSync(outside, path.join(root, "etc/link"));
      // What `chown 131072:131072 /` did as a pre-user-namespace tenant; nspawn would read a range off it.
      lchownSync(root, 0x20000, 0x20000);
      prepareRootForBoot(root);
      assert.deepEqual(owner(root), [0, 0]);
      assert.deepEqual(owner(outside), [0, 0]);
    });

    it("leaves a root nspawn chowned into one range as it is, and a tenant's owner inside the range", () => {
      const chowned = fakeTree("top-chowned-tree");
      const base = 0x5a0000;
      chownSync(path.join(chowned, "etc"), base, base);
      chownSync(chowned, base, base);
      prepareRootForBoot(chowned);
      assert.deepEqual(owner(chowned), [base, base], "the whole tree is in one range: nothing to restore");
      const mine = fakeTree("top-tenant-owned");
      chownSync(mine, 1000, 1000);
      prepareRootForBoot(mine);
      assert.deepEqual(owner(mine), [1000, 1000], "uid 1000 inside the range stays the tenant's choice");
      const gid = fakeTree("top-gid-only");
      chownSync(gid, 0, 0x30000);
      prepareRootForBoot(gid);
      assert.deepEqual(
        owner(gid),
        [0, 0],
        "a group in another range is restored too (nspawn refuses mismatched bases)",
      );
    });
  },
);

describe("dir storage", () => {
  const root = path.join(scratch, "dir-storage");
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  const storage = createDirStorage({
    config: configSchema.parse({ storage: { driver: "dir", dir: { root } } }),
    stateDir: scratch,
    runner: createCommandRunner(),
    logger,
    clock: { now: () => new Date() },
    leases: { allocate: () => "", get: () => undefined, release: noop, all: () => new Map() },
    catalog: { list: () => [], get: () => undefined },
  });

  it("says quotas are not enforced", async () => {
    assert.equal(storage.info().quotas, false);
    const [check] = await storage.doctor();
    assert.match(check?.detail ?? "", /NOT enforced/);
    await storage.ensureUser("telegram_42", 1024);
    assert.deepEqual(await storage.userUsage("telegram_42"), { usedBytes: 0, quotaBytes: null, availableBytes: null });
  });

  it("snapshots survive deleting the workspace and restore it", async () => {
    const { hostPath } = await storage.createWorkspace("telegram_42", "web");
    writeFileSync(path.join(hostPath, "note.txt"), "hello");
    assert.equal((await storage.workspaceUsage("telegram_42", "web")).usedBytes, 5);
    const snapshot = await storage.snapshotWorkspace("telegram_42", "web", "t1");
    await storage.deleteWorkspace("telegram_42", "web");
    assert.equal(await storage.workspaceExists("telegram_42", "web"), false);
    const restored = await storage.restoreWorkspace(snapshot, "telegram_42", "web");
    assert.equal(readFileSync(path.join(restored.hostPath, "note.txt"), "utf8"), "hello");
    await assert.rejects(storage.restoreWorkspace(snapshot, "telegram_42", "web"), ConflictError);
    await storage.deleteSnapshot(snapshot);
    await storage.deleteSnapshot(snapshot);
  });
});
