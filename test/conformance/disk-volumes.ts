/**
 * The disk-volume part of the storage conformance suite (`StorageDriver.diskVolumes`, the port
 * in `src/ports/disk-volumes.ts`), registered by `storageConformance` for every driver: an area
 * per runtime (or where the runtime's configuration put it); a disk set; a qcow2 overlay on a
 * base image that reads the base and whose writes never reach it; an ext4 workspace disk made
 * once at its size; growing both (never shrinking); allocation measured in blocks; a kept
 * volume moved under a reference, reported again on a retry, copied back to a new disk set
 * with its data, and discarded; hostile references refused; and, where the area says disks are
 * accounted, writes to a disk set and to a kept volume counting against the owner's quota.
 * Real `qemu-img`, `qemu-io` and `mkfs.ext4` on real files (skipped without them).
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { it } from "node:test";
import { VoxnixError } from "../../src/domain/errors.js";
import type { DiskVolumes } from "../../src/ports/disk-volumes.js";
import type { StorageDriver } from "../../src/ports/storage-driver.js";
import type { StorageFixture } from "./storage.js";
import { settledUsage } from "./root-volumes.js";

const MIB = 1024 ** 2;
const REF = "0d15c0a1-1111-4222-8333-944455556666";
const TOOLS = ["/usr/bin/qemu-img", "/usr/bin/qemu-io", "/usr/sbin/mkfs.ext4"];
const missingTool = TOOLS.find((tool) => !existsSync(tool));
const needsTools = missingTool === undefined ? false : `${missingTool} is missing (qemu-utils, e2fsprogs)`;

/** `qemu-img info` of a qcow2 file. */
function qcow2Info(file: string): { "virtual-size": number; "backing-filename"?: string } {
  return JSON.parse(
    execFileSync("qemu-img", ["info", "--output=json", "-U", "-f", "qcow2", file], { encoding: "utf8" }),
  );
}

/** Writes `bytes` of `pattern` at offset 0 of a qcow2 disk, as a guest would through QEMU. */
function guestWrite(file: string, pattern: number, bytes: number): void {
  execFileSync("qemu-io", ["-f", "qcow2", "-c", `write -P ${pattern} 0 ${bytes}`, file], { stdio: "ignore" });
}

/** True when the first `bytes` of the qcow2 disk all hold `pattern`. */
function guestReads(file: string, pattern: number, bytes: number): boolean {
  try {
    execFileSync("qemu-io", ["-f", "qcow2", "-r", "-c", `read -P ${pattern} 0 ${bytes}`, file], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** The ext4 label of a fresh disk (the superblock at 1024: magic at +56, name at +120). */
function ext4Label(file: string): string | undefined {
  const superblock = Buffer.alloc(1024);
  const fd = openSync(file, "r");
  try {
    readSync(fd, superblock, 0, 1024, 1024);
  } finally {
    closeSync(fd);
  }
  if (superblock.readUInt16LE(56) !== 0xef53) return undefined;
  return superblock.subarray(120, 136).toString("latin1").replace(/\0+$/, "");
}

/** Registers the disk-volume cases; `get` answers the fixture once the suite's `before` ran. */
export function diskVolumeCases(
  get: () => { readonly storage: StorageDriver; readonly fixture: StorageFixture },
  user: string,
): void {
  const area = (): DiskVolumes => {
    const { storage } = get();
    if (storage.diskVolumes === undefined) assert.fail("every real driver offers disk volumes");
    return storage.diskVolumes({ runtime: "vmdisks" });
  };

  void it("gives each runtime a disk area, or the one its configuration names, and refuses hostile runtime names", () => {
    const { storage } = get();
    const disks = area();
    assert.ok(path.isAbsolute(disks.hostPath));
    assert.equal(typeof disks.quotaAccounted, "boolean");
    assert.notEqual(storage.diskVolumes!({ runtime: "other" }).hostPath, disks.hostPath, "one area per runtime");
    assert.equal(storage.diskVolumes!({ runtime: "vmdisks" }).hostPath, disks.hostPath, "stable");
    const placed = storage.diskVolumes!({ runtime: "vmdisks", at: "/srv/vmdisks" });
    assert.equal(placed.hostPath, "/srv/vmdisks");
    assert.equal(placed.quotaAccounted, false, "an area the runtime placed holds plain files no quota sees");
    for (const runtime of ["../etc", "a/b", ""])
      assert.throws(() => storage.diskVolumes!({ runtime }), VoxnixError, runtime);
  });

  void it(
    "makes an overlay on a base image and an ext4 workspace disk in a disk set, measures, grows and deletes them",
    { skip: needsTools },
    async () => {
      const { storage } = get();
      const disks = area();
      await disks.ensureReady();
      await disks.ensureReady();
      const base = path.join(disks.hostPath, "images", "base.qcow2");
      mkdirSync(path.dirname(base), { recursive: true });
      execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", base, String(64 * MIB)]);
      guestWrite(base, 0x11, MIB);

      const set = path.join(disks.hostPath, "machines", "lab");
      const quotaGroup = await storage.quotaGroup?.(user);
      await disks.createDiskSet(set, quotaGroup === undefined ? {} : { quotaGroup });
      assert.equal(lstatSync(set).mode & 0o777, 0o700, "a disk set is its owner's alone");
      await assert.rejects(disks.createDiskSet(set), VoxnixError, "a disk set is made once");

      const overlay = path.join(set, "root.qcow2");
      const command = disks.overlayCommand(overlay, base, 128 * MIB);
      assert.deepEqual([command[0], command.includes("-b"), command.includes(base)], ["qemu-img", true, true]);
      await disks.createOverlay(overlay, base, 128 * MIB);
      await assert.rejects(disks.createOverlay(overlay, base, 128 * MIB), VoxnixError, "never replaces a disk");
      assert.equal(qcow2Info(overlay)["virtual-size"], 128 * MIB);
      assert.equal(qcow2Info(overlay)["backing-filename"], base);
      assert.ok(guestReads(overlay, 0x11, MIB), "the overlay reads the base image");
      const fresh = await disks.usage(overlay);
      guestWrite(overlay, 0x22, 4 * MIB);
      assert.ok(guestReads(overlay, 0x22, 4 * MIB));
      assert.ok(guestReads(base, 0x11, MIB), "a write to the overlay never reaches the base");
      assert.ok((await disks.usage(overlay)) - fresh >= 4 * MIB, "usage counts allocated blocks");
      assert.equal(await disks.usage(path.join(set, "absent.img")), 0);

      const workspace = path.join(set, "workspace.img");
      assert.deepEqual(disks.workspaceDiskCommand(workspace, "voxnix-work").slice(-1), [workspace]);
      assert.equal(await disks.createWorkspaceDisk(workspace, 32 * MIB, "voxnix-work"), true);
      assert.equal(await disks.createWorkspaceDisk(workspace, 32 * MIB, "voxnix-work"), false, "made once");
      assert.equal(lstatSync(workspace).size, 32 * MIB, "its size is the limit");
      assert.ok(lstatSync(workspace).blocks * 512 < 32 * MIB, "sparse");
      assert.equal(ext4Label(workspace), "voxnix-work");
      assert.ok(
        Math.abs((await disks.usage(workspace)) - lstatSync(workspace).blocks * 512) === 0,
        "usage is the file's blocks",
      );

      await disks.growDisk(workspace, "raw", 48 * MIB);
      assert.equal(lstatSync(workspace).size, 48 * MIB);
      await disks.growDisk(workspace, "raw", 48 * MIB);
      await assert.rejects(disks.growDisk(workspace, "raw", 16 * MIB), VoxnixError, "never shrinks");
      assert.equal(lstatSync(workspace).size, 48 * MIB);
      await disks.growDisk(overlay, "qcow2", 256 * MIB);
      assert.equal(qcow2Info(overlay)["virtual-size"], 256 * MIB);
      await assert.rejects(disks.growDisk(overlay, "qcow2", 64 * MIB), VoxnixError);
      assert.ok(guestReads(overlay, 0x22, 4 * MIB), "growing keeps what the guest wrote");

      await disks.deleteDisk(workspace);
      await disks.deleteDisk(workspace);
      assert.equal(existsSync(workspace), false);
      await disks.deleteDiskSet(set);
      await disks.deleteDiskSet(set);
      assert.equal(existsSync(set), false);
      rmSync(path.dirname(base), { recursive: true, force: true });
    },
  );

  void it(
    "keeps disks under a reference, reports them again on a retry, restores a copy and discards them",
    { skip: needsTools },
    async () => {
      const { storage } = get();
      const disks = area();
      const quotaGroup = await storage.quotaGroup?.(user);
      const joined = quotaGroup === undefined ? {} : { quotaGroup };
      const set = path.join(disks.hostPath, "machines", "keep");
      await disks.createDiskSet(set, joined);
      const overlay = path.join(set, "root.qcow2");
      execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", overlay, String(64 * MIB)]);
      guestWrite(overlay, 0x33, 4 * MIB);
      mkdirSync(path.join(set, "seed"));
      writeFileSync(path.join(set, "seed", "host-key"), "private");
      writeFileSync(path.join(set, "record.json"), '{"base":"/images/base.qcow2"}');
      const entries = [
        { from: overlay, name: "root.qcow2" },
        { from: path.join(set, "seed"), name: "seed" },
        { from: path.join(set, "record.json"), name: "record.json" },
        { from: path.join(set, "never-made.img"), name: "never-made.img" },
      ];

      assert.equal(
        await disks.keep(REF, [{ from: path.join(set, "absent.qcow2"), name: "root.qcow2" }], joined),
        undefined,
        "no disk, nothing kept",
      );
      const kept = await disks.keep(REF, entries, joined);
      assert.equal(kept?.ref, REF);
      assert.ok((kept?.bytes ?? 0) >= 4 * MIB, `the kept volume holds the disk's blocks (${kept?.bytes})`);
      assert.equal(existsSync(overlay), false, "moved out of the disk set");
      assert.deepEqual(await disks.keep(REF, entries, joined), kept, "a retry reports the same volume");
      assert.equal(await disks.readKept(REF, "record.json"), '{"base":"/images/base.qcow2"}');
      assert.equal(await disks.readKept(REF, "missing.json"), undefined);
      await disks.deleteDiskSet(set);

      const back = path.join(disks.hostPath, "machines", "back");
      await disks.createDiskSet(back, joined);
      const restored = [
        { name: "root.qcow2", to: path.join(back, "root.qcow2") },
        { name: "seed", to: path.join(back, "seed") },
        { name: "never-made.img", to: path.join(back, "never-made.img"), optional: true },
      ];
      await disks.restore(REF, restored);
      assert.ok(guestReads(path.join(back, "root.qcow2"), 0x33, 4 * MIB), "the copy holds what the guest wrote");
      assert.equal(execFileSync("cat", [path.join(back, "seed", "host-key")], { encoding: "utf8" }), "private");
      assert.equal(existsSync(path.join(back, "never-made.img")), false);
      await assert.rejects(disks.restore(REF, restored), VoxnixError, "a restore never overwrites a disk");
      await assert.rejects(
        disks.restore(REF, [{ name: "never-made.img", to: path.join(back, "x.img") }]),
        /has no never-made.img/,
      );
      assert.ok(existsSync(path.join(disks.hostPath, "kept", REF)), "the kept volume stays until discarded");

      await disks.discard(REF);
      await disks.discard(REF);
      await assert.rejects(disks.restore(REF, restored.slice(0, 1)), /gone/);
      for (const hostile of ["../machines/back", "/etc", "kept"]) {
        await assert.rejects(disks.discard(hostile), VoxnixError, hostile);
        await assert.rejects(disks.keep(hostile, entries), VoxnixError, hostile);
        await assert.rejects(disks.readKept(hostile, "record.json"), VoxnixError, hostile);
      }
      await assert.rejects(disks.readKept(REF, "../record.json"), VoxnixError);
      assert.ok(existsSync(back), "nothing a hostile reference named was touched");
      await disks.deleteDiskSet(back);
    },
  );

  void it("counts disk writes in the owner's quota where the area says it does", async (context) => {
    const { storage, fixture } = get();
    const disks = area();
    const quotaGroup = await storage.quotaGroup?.(user);
    if (!disks.quotaAccounted || quotaGroup === undefined || fixture.write === undefined) {
      context.skip("this driver's disks are plain files that no quota sees (the core holds their declared sizes)");
      return;
    }
    const set = path.join(disks.hostPath, "machines", "counted");
    await disks.createDiskSet(set, { quotaGroup });
    const before = await settledUsage(storage, user);
    assert.equal(await fixture.write(set, 4 * MIB), "written");
    const written = await settledUsage(storage, user);
    assert.ok(written - before >= 3 * MIB, `a disk write counts (${before} → ${written})`);
    await disks.keep(REF, [{ from: path.join(set, `fill-${4 * MIB}`), name: "disk.img" }], { quotaGroup });
    await disks.deleteDiskSet(set);
    const kept = await settledUsage(storage, user);
    assert.ok(kept - before >= 3 * MIB, `a kept disk still counts (${before} → ${kept})`);
    await disks.discard(REF);
    const discarded = await settledUsage(storage, user);
    assert.ok(kept - discarded >= 3 * MIB, `a discarded disk stops counting (${kept} → ${discarded})`);
  });

  void it("reads and deletes nothing outside what it is asked, and refuses relative paths", async () => {
    const disks = area();
    const scratch = mkdtempSync(path.join(tmpdir(), "vx-conformance-disks-"));
    try {
      await assert.rejects(disks.createDiskSet("relative/set"), VoxnixError);
      await assert.rejects(disks.usage("relative.img"), VoxnixError);
      await assert.rejects(disks.deleteDiskSet(`${scratch}/../x`), VoxnixError);
      const target = path.join(scratch, "host-file");
      writeFileSync(target, "host");
      const link = path.join(scratch, "link.img");
      execFileSync("ln", ["-s", target, link]);
      assert.equal(await disks.usage(link), 0, "a link is never followed");
      await assert.rejects(disks.createWorkspaceDisk(link, MIB, "voxnix-work"), VoxnixError);
      await assert.rejects(disks.growDisk(link, "raw", 2 * MIB), VoxnixError);
      assert.equal(lstatSync(target).size, 4, "the file behind the link is untouched");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
