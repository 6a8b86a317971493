/**
 * Kept root disks of the QEMU runtime (src/runtimes/qemu/kept-disks.ts) over the storage port's
 * disk volumes on a plain directory (src/backends/storage/directory-disks.ts), on real files
 * with the real `cp`: keeping moves the overlay, seed and keys atomically and is idempotent,
 * restoring copies them (sparse) and refuses when the base image is gone, references are never
 * paths.
 * The whole cycle on a real VM is in test/e2e/vm-cli.test.ts.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createCommandRunner } from "../../../../src/host/command-runner.js";
import { directoryDiskVolumes } from "../../../../src/backends/storage/directory-disks.js";
import type { DiskVolumes } from "../../../../src/ports/disk-volumes.js";
import { keepRootDisk, restoreKeptDisk } from "../../../../src/runtimes/qemu/kept-disks.js";
import { vmPaths, type QemuPaths } from "../../../../src/runtimes/qemu/paths.js";

const REF = "6f1c2a4e-1111-4222-8333-944455556666";
const runner = createCommandRunner({ killGraceMs: 300 });

let root: string;
let paths: QemuPaths;
let disks: DiskVolumes;
const keptDir = (ref: string) => path.join(root, "kept", ref);

function makeVm(name: string, baseDisk: string) {
  const files = vmPaths(paths, name);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.overlay, "");
  truncateSync(files.overlay, 512 * 1024 ** 2);
  writeFileSync(files.overlay, "qcow2-overlay-data", { flag: "r+" });
  writeFileSync(files.seed, "seed-with-host-key");
  writeFileSync(files.clientKey, "client-private");
  writeFileSync(`${files.clientKey}.pub`, "ssh-ed25519 AAAA client");
  writeFileSync(files.knownHosts, "voxnix-vm-lab ssh-ed25519 AAAA\n");
  writeFileSync(files.metadata, JSON.stringify({ baseDisk, kernel: baseDisk, initrd: baseDisk, sshPort: 2222 }));
  writeFileSync(files.console, "console text is not kept");
  return files;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "voxnix-kept-"));
  paths = { root, images: path.join(root, "images"), machines: path.join(root, "machines") };
  disks = directoryDiskVolumes(runner, root);
  mkdirSync(paths.images);
  writeFileSync(path.join(paths.images, "root.qcow2"), "base");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

void describe("QEMU kept root disks", () => {
  void it("keep moves the overlay, seed, keys and record under the snapshot id, and a retry reports the same disk", async () => {
    const files = makeVm("lab", path.join(paths.images, "root.qcow2"));
    const kept = await keepRootDisk(disks, files, REF);
    assert.equal(kept?.ref, REF);
    assert.ok(
      (kept?.bytes ?? 0) > 0 && (kept?.bytes ?? 0) < 1024 ** 2,
      "allocated bytes of the sparse overlay (and the small files beside it), not its size",
    );
    assert.deepEqual(readdirSync(keptDir(REF)).sort(), [
      "client-key",
      "client-key.pub",
      "known_hosts",
      "root.qcow2",
      "seed.img",
      "vm.json",
    ]);
    assert.ok(!existsSync(files.overlay), "moved, not copied");
    assert.ok(!existsSync(`${keptDir(REF)}.part`));
    assert.deepEqual(await keepRootDisk(disks, files, REF), kept, "a retried destroy reports it again");
  });

  void it("keep of a VM without an overlay keeps nothing", async () => {
    const files = vmPaths(paths, "ghost");
    assert.equal(await keepRootDisk(disks, files, REF), undefined);
    assert.ok(!existsSync(keptDir(REF)));
  });

  void it("restore copies everything back (sparse) and answers the image the overlay was made on; the kept copy stays", async () => {
    const base = path.join(paths.images, "root.qcow2");
    await keepRootDisk(disks, makeVm("lab", base), REF);
    const files = vmPaths(paths, "lab");
    rmSync(files.dir, { recursive: true, force: true });
    mkdirSync(files.dir);
    const image = await restoreKeptDisk(disks, REF, files);
    assert.deepEqual(image, { baseDisk: base, kernel: base, initrd: base });
    assert.equal(readFileSync(files.seed, "utf8"), "seed-with-host-key");
    assert.equal(readFileSync(files.knownHosts, "utf8"), "voxnix-vm-lab ssh-ed25519 AAAA\n");
    assert.equal(lstatSync(files.overlay).size, 512 * 1024 ** 2);
    assert.ok(lstatSync(files.overlay).blocks * 512 < 1024 ** 2, "a sparse copy");
    assert.ok(!existsSync(files.metadata), "the new VM writes its own record");
    assert.ok(existsSync(path.join(keptDir(REF), "root.qcow2")), "kept until the core discards it");
    await disks.discard(REF);
    assert.ok(!existsSync(keptDir(REF)));
  });

  void it("restore refuses when the base image is gone or the kept disk is missing", async () => {
    const base = path.join(paths.images, "old", "root.qcow2");
    mkdirSync(path.dirname(base));
    writeFileSync(base, "old base");
    await keepRootDisk(disks, makeVm("lab", base), REF);
    rmSync(path.dirname(base), { recursive: true });
    const files = vmPaths(paths, "lab2");
    mkdirSync(files.dir, { recursive: true });
    await assert.rejects(restoreKeptDisk(disks, REF, files), /base image this VM's root disk was made from is gone/);
    await assert.rejects(
      restoreKeptDisk(disks, "0b9c2a4e-1111-4222-8333-000000000000", files),
      /is gone or incomplete/,
    );
    assert.deepEqual(readdirSync(files.dir), [], "nothing copied");
  });

  void it("a reference is a snapshot id, never a path", async () => {
    const files = makeVm("lab", path.join(paths.images, "root.qcow2"));
    await assert.rejects(keepRootDisk(disks, files, "../machines/lab"), /not a kept root disk reference/);
    await assert.rejects(disks.discard("/etc"), /not a kept root disk reference/);
    await assert.rejects(restoreKeptDisk(disks, "../machines/lab", files), /not a kept root disk reference/);
    assert.ok(existsSync(files.overlay), "nothing moved");
  });
});
