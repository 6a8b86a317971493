/**
 * An overlay root asked to be owned by an id range, over an image on a file system that
 * cannot be idmapped (ramfs: the kernel refuses `mount_setattr` with EINVAL), on the real
 * kernel: the clone falls back to a root owned by host root, says why, records no range and
 * leaves no bind mounted; the root still works and a later mount stays unmapped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { directoryRootVolumes } from "../../src/backends/storage/directory-roots.js";

const skip = process.getuid?.() !== 0 ? "needs root (mounts)" : undefined;

describe("overlay roots where the image cannot be idmapped", { skip, timeout: 60_000 }, () => {
  const scratch = skip ? "" : mkdtempSync("/var/tmp/vx-idmap-fallback-");
  const image = path.join(scratch, "image");
  const area = directoryRootVolumes(createCommandRunner(), path.join(scratch, "area"));
  const location = { root: path.join(scratch, "area/machines/web"), layers: path.join(scratch, "area/layers/web") };
  after(async () => {
    if (!scratch) return;
    await area.deleteRoot(location).catch(() => undefined);
    if (readFileSync("/proc/self/mountinfo", "utf8").includes(` ${image} `)) execFileSync("umount", [image]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("falls back to a root owned by host root and says why", async () => {
    mkdirSync(image);
    execFileSync("mount", ["-t", "ramfs", "ramfs", image]);
    mkdirSync(path.join(image, "etc"));
    writeFileSync(path.join(image, "etc/os-release"), "ID=ramfs\n");
    await area.ensureReady();
    const root = await area.cloneRoot(image, location, { idRange: 0x7ac0000 });
    assert.equal(root.idRange, undefined);
    assert.match(root.notice ?? "", /mount_setattr: Invalid argument/);
    assert.equal(lstatSync(location.root).uid, 0, "the root is host root's, for the runtime to map");
    assert.equal(lstatSync(path.join(location.root, "etc/os-release")).uid, 0);
    assert.equal(readFileSync(path.join(location.root, "etc/os-release"), "utf8"), "ID=ramfs\n");
    assert.equal(existsSync(path.join(location.layers, "id-range")), false, "no range recorded");
    const mounts = readFileSync("/proc/self/mountinfo", "utf8");
    assert.equal(mounts.includes(` ${path.join(location.layers, "mapped")} `), false, "no bind left");
    execFileSync("umount", [location.root]);
    await area.mountRoot(location);
    assert.equal(lstatSync(path.join(location.root, "etc/os-release")).uid, 0, "a later mount stays unmapped");
  });
});
