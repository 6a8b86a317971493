/**
 * The root-volume part of the storage conformance suite (`StorageDriver.rootVolumes`, the
 * port in `src/ports/root-volumes.ts`), registered by `storageConformance` for every driver:
 * an area per runtime (or where the runtime's configuration put it), an image volume filled
 * and renamed the way nspawn builds its base image, a root cloned from it that sees the
 * image's files and whose writes never reach the image, the clone kind reported, mounting
 * again idempotent, deletion of root and layers (twice: a missing one succeeds), where the
 * driver accounts roots a write to the root counting against the owner's quota, and hostile
 * runtime names refused. Cloning mounts (an overlay) or snapshots, so it needs root.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { it } from "node:test";
import { VoxnixError } from "../../src/domain/errors.js";
import type { RootVolumes } from "../../src/ports/root-volumes.js";
import type { StorageDriver } from "../../src/ports/storage-driver.js";
import type { StorageFixture } from "./storage.js";

const MIB = 1024 ** 2;

/** Registers the root-volume cases; `get` answers the fixture once the suite's `before` ran. */
export function rootVolumeCases(
  get: () => { readonly storage: StorageDriver; readonly fixture: StorageFixture },
  user: string,
): void {
  const needsRoot =
    process.getuid?.() !== 0 ? "cloning a root mounts an overlay or snapshots a subvolume: needs root" : false;

  void it("says where a workspace is or would be, without creating it, and refuses hostile names", async () => {
    const { storage } = get();
    const where = storage.workspacePath(user, "conf-later");
    assert.ok(path.isAbsolute(where), where);
    assert.equal(await storage.workspaceExists(user, "conf-later"), false, "asking creates nothing");
    const created = await storage.createWorkspace(user, "conf-later");
    assert.equal(created.hostPath, where, "the create lands where the port said");
    await storage.deleteWorkspace(user, "conf-later");
    for (const [userKey, workload] of [
      ["../etc", "web"],
      [user, "../../root"],
      [user, "a/b"],
    ] as const) {
      assert.throws(() => storage.workspacePath(userKey, workload), VoxnixError, `${userKey} ${workload}`);
    }
  });

  void it("gives each runtime an area, or the one its configuration names, and refuses hostile runtime names", () => {
    const { storage } = get();
    if (storage.rootVolumes === undefined) assert.fail("every real driver offers root volumes");
    const area = storage.rootVolumes({ runtime: "conformance" });
    assert.ok(path.isAbsolute(area.hostPath));
    assert.notEqual(storage.rootVolumes({ runtime: "other" }).hostPath, area.hostPath, "one area per runtime");
    assert.equal(
      storage.rootVolumes({ runtime: "conformance" }).hostPath,
      area.hostPath,
      "stable: runtimes derive host-wide names from it",
    );
    assert.equal(
      storage.rootVolumes({ runtime: "conformance", at: "/srv/conformance-roots" }).hostPath,
      "/srv/conformance-roots",
    );
    for (const runtime of ["../etc", "a/b", ""])
      assert.throws(() => storage.rootVolumes!({ runtime }), VoxnixError, runtime);
  });

  void it(
    "clones a writable root from an image volume, keeps the image untouched, mounts again and deletes it",
    { skip: needsRoot },
    async () => {
      const { storage, fixture } = get();
      const area: RootVolumes = storage.rootVolumes!({ runtime: "conformance" });
      await area.ensureReady();
      await area.ensureReady();
      assert.ok(existsSync(area.hostPath));
      assert.equal(await area.reopen(), true, "a ready area reads");
      const images = path.join(area.hostPath, "images");
      mkdirSync(images, { recursive: true });
      // As nspawn builds: a fresh volume, filled, then renamed into place.
      const building = path.join(images, "base-1.partial");
      const image = await area.createImage(building);
      assert.equal(image.hostPath, building);
      assert.equal(typeof image.cow, "boolean");
      mkdirSync(path.join(building, "etc"), { recursive: true });
      writeFileSync(path.join(building, "etc/os-release"), "ID=conformance\n");
      const ready = path.join(images, "base-1");
      renameSync(building, ready);

      const location = {
        root: path.join(area.hostPath, "machines", "web"),
        layers: path.join(area.hostPath, "layers", "web"),
      };
      assert.equal(area.rootKind(location), undefined, "no root yet");
      assert.equal(area.cloneCommand(ready, location).length > 0, true, "a dry run can show the clone");
      const quotaGroup = await storage.quotaGroup?.(user);
      const root = await area.cloneRoot(ready, location, quotaGroup === undefined ? {} : { quotaGroup });
      await root.accounted;
      assert.equal(area.rootKind(location), root.kind);
      assert.equal(
        root.kind,
        image.cow ? "snapshot" : "overlay",
        "a copy-on-write image clones as a snapshot, another as an overlay",
      );
      assert.equal(
        readFileSync(path.join(location.root, "etc/os-release"), "utf8"),
        "ID=conformance\n",
        "the root sees the image",
      );
      writeFileSync(path.join(location.root, "etc/hostname"), "web\n");
      rmSync(path.join(location.root, "etc/os-release"));
      assert.equal(existsSync(path.join(ready, "etc/hostname")), false, "a write to the root never reaches the image");
      assert.equal(readFileSync(path.join(ready, "etc/os-release"), "utf8"), "ID=conformance\n", "nor does a delete");
      await area.mountRoot(location);
      await area.mountRoot(location);
      assert.equal(
        readFileSync(path.join(location.root, "etc/hostname"), "utf8"),
        "web\n",
        "mounting again keeps what the workload wrote",
      );

      if (storage.info().quotas && root.kind === "snapshot" && fixture.write !== undefined) {
        // Deleted volumes of the cases before are freed in the background (btrfs's cleaner): wait for still numbers.
        const before = await settledUsage(storage, user);
        assert.equal(await fixture.write(location.root, 4 * MIB), "written");
        const after = await settledUsage(storage, user);
        assert.ok(
          after - before >= 3 * MIB,
          `a write to the root counts against the owner's quota (${before} → ${after})`,
        );
      }

      await area.deleteRoot(location);
      assert.equal(existsSync(location.root), false);
      assert.equal(existsSync(location.layers), false, "the layers go with the root");
      assert.equal(area.rootKind(location), undefined);
      await area.deleteRoot(location);
      await area.deleteImage(ready);
      assert.equal(existsSync(ready), false);
      await area.deleteImage(ready);
      assert.deepEqual(readdirSync(images), []);
    },
  );

  void it(
    "clones a root owned by an id range without copying the image, and the range's root cannot reach the image",
    { skip: needsRoot },
    async () => {
      const { storage } = get();
      const area: RootVolumes = storage.rootVolumes!({ runtime: "idranges" });
      await area.ensureReady();
      mkdirSync(path.join(area.hostPath, "images"), { recursive: true });
      const image = (await area.createImage(path.join(area.hostPath, "images", "base-ids"))).hostPath;
      mkdirSync(path.join(image, "etc"), { recursive: true });
      mkdirSync(path.join(image, "home/user"), { recursive: true });
      writeFileSync(path.join(image, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n", { mode: 0o644 });
      writeFileSync(path.join(image, "home/user/notes"), "mine\n", { mode: 0o600 });
      chownSync(path.join(image, "home/user"), 1000, 1000);
      chownSync(path.join(image, "home/user/notes"), 1000, 1000);
      const range = 0x7ab0000;
      const at = (name: string) => ({
        root: path.join(area.hostPath, "machines", name),
        layers: path.join(area.hostPath, "layers", name),
      });
      const first = at("ids-a");
      const second = at("ids-b");
      const legacy = at("ids-legacy");
      try {
        const root = await area.cloneRoot(image, first, { idRange: range });
        if (root.kind === "snapshot") {
          assert.equal(root.idRange, undefined, "a snapshot ignores the range (the runtime idmaps it)");
          assert.equal(lstatSync(path.join(first.root, "etc/passwd")).uid, 0);
          return;
        }
        assert.equal(root.idRange, range, root.notice);
        const owner = (file: string) => `${lstatSync(file).uid}:${lstatSync(file).gid}`;
        assert.equal(owner(first.root), `${range}:${range}`, "the root's top is the range's root");
        assert.equal(owner(path.join(first.root, "etc/passwd")), `${range}:${range}`, "image files are mapped");
        assert.equal(owner(path.join(first.root, "home/user/notes")), `${range + 1000}:${range + 1000}`);
        assert.equal(owner(path.join(image, "etc/passwd")), "0:0", "the image on disk is unchanged");
        assert.deepEqual(readdirSync(path.join(first.layers, "upper")), [], "nothing was copied into the root");
        assert.equal(
          readFileSync("/proc/self/mountinfo", "utf8").includes(` ${path.join(first.layers, "mapped")} `),
          false,
          "the idmapped bind of the image is gone once the overlay holds it",
        );

        // The range's root (the container's root on the host) writes its own copy; the image stays.
        // It starts in the directory (as a container starts inside its root): the test's parents are root's only.
        const asRangeRoot = (cwd: string, command: string) =>
          spawnSync("setpriv", [`--reuid=${range}`, `--regid=${range}`, "--clear-groups", "sh", "-c", command], {
            cwd,
            encoding: "utf8",
          });
        const wrote = asRangeRoot(first.root, "echo tenant >> etc/passwd && echo new > etc/added");
        assert.equal(wrote.status, 0, wrote.stderr);
        assert.equal(readFileSync(path.join(image, "etc/passwd"), "utf8"), "root:x:0:0::/root:/bin/sh\n");
        assert.equal(existsSync(path.join(image, "etc/added")), false);
        assert.equal(owner(path.join(first.layers, "upper/etc/added")), `${range}:${range}`);
        const direct = asRangeRoot(image, "echo x >> etc/passwd");
        assert.notEqual(direct.status, 0, "the range's root cannot write the image itself");

        // A bind a killed process left behind goes with the next mount.
        const mapped = path.join(first.layers, "mapped");
        execFileSync("mount", ["--bind", "-o", "ro", image, mapped]);
        await area.mountRoot(first);
        assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(` ${mapped} `), false, "no bind left");

        // Mounted again (a host reboot): the same mapping, what was written kept.
        execFileSync("umount", [first.root]);
        await area.mountRoot(first);
        assert.equal(owner(path.join(first.root, "home/user/notes")), `${range + 1000}:${range + 1000}`);
        assert.equal(readFileSync(path.join(first.root, "etc/added"), "utf8"), "new\n");

        // Another root over the same image sees none of it.
        const other = await area.cloneRoot(image, second, { idRange: range + 0x10000 });
        assert.equal(other.idRange, range + 0x10000);
        assert.equal(existsSync(path.join(second.root, "etc/added")), false, "one root's files stay its own");
        assert.equal(owner(path.join(second.root, "etc/passwd")), `${range + 0x10000}:${range + 0x10000}`);

        // A root made without a range whose `/` was chowned (a tenant was the host's root before
        // user namespaces) is not mapped into that range by a later mount.
        const plain = await area.cloneRoot(image, legacy);
        assert.equal(plain.idRange, undefined);
        execFileSync("umount", [legacy.root]);
        lchownSync(path.join(legacy.layers, "upper"), range, range);
        await area.mountRoot(legacy);
        assert.equal(owner(path.join(legacy.root, "etc/passwd")), "0:0", "the image is not mapped on the root's word");
      } finally {
        await area.deleteRoot(first);
        await area.deleteRoot(second);
        await area.deleteRoot(legacy);
        await area.deleteImage(image);
      }
      assert.equal(existsSync(first.layers), false);
    },
  );

  void it("reopens nothing where nothing was ever made", async () => {
    const { storage } = get();
    const scratch = mkdtempSync(path.join(tmpdir(), "vx-conformance-roots-"));
    try {
      const elsewhere = storage.rootVolumes!({ runtime: "conformance", at: path.join(scratch, "never-made") });
      assert.equal(await elsewhere.reopen(), false);
      assert.equal(existsSync(elsewhere.hostPath), false, "a read creates nothing");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

/** The user's used bytes once two readings a moment apart agree (at most about 20 s). */
export async function settledUsage(storage: StorageDriver, user: string): Promise<number> {
  let previous = (await storage.userUsage(user)).usedBytes;
  for (let attempt = 0; attempt < 40; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = (await storage.userUsage(user)).usedBytes;
    if (current === previous) return current;
    previous = current;
  }
  return previous;
}
