/**
 * The QEMU runtime gets every disk from the storage port and makes none itself: a create asks
 * `DiskVolumes` for the VM's disk set and overlay, and a create that fails later deletes the
 * disk set through the port; a destroy keeps the root disk through `keep` and removes the
 * folder through `deleteDiskSet`; usage and discarding go through the port too. A recording
 * port over plain directories stands in for the storage; a fake runner shows that no
 * `qemu-img`, `mkfs.ext4`, `cp` or `rm` ran on the runtime's behalf.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { configSchema } from "../../../../src/app/config-schema.js";
import { directoryDiskVolumes } from "../../../../src/backends/storage/directory-disks.js";
import type { WorkloadName } from "../../../../src/domain/names.js";
import { validateVmSpec } from "../../../../src/domain/vm-spec.js";
import type { DiskVolumes } from "../../../../src/ports/disk-volumes.js";
import { createQemuRuntime } from "../../../../src/runtimes/qemu/index.js";
import { IMAGE_RECIPE, imagePointer } from "../../../../src/runtimes/qemu/image.js";
import { FakeCommandRunner } from "../../../fakes/fake-command-runner.js";
import { FakeLogger } from "../../../fakes/fake-logger.js";

const REF = "6f1c2a4e-1111-4222-8333-944455556666";
const stateDir = mkdtempSync(path.join(tmpdir(), "vx-vm-disks-"));
after(() => rmSync(stateDir, { recursive: true, force: true }));

/** A port that records each call by name and first argument, with overlays made as empty files. */
function recording(inner: DiskVolumes, calls: string[]): DiskVolumes {
  return {
    ...inner,
    createDiskSet: (dir, options) => (calls.push(`createDiskSet ${dir}`), inner.createDiskSet(dir, options)),
    deleteDiskSet: (dir) => (calls.push(`deleteDiskSet ${dir}`), inner.deleteDiskSet(dir)),
    createOverlay: async (file, base) => {
      calls.push(`createOverlay ${file} ${base}`);
      writeFileSync(file, "");
    },
    keep: (ref, entries, options) => (calls.push(`keep ${ref} ${entries[0]?.name}`), inner.keep(ref, entries, options)),
    usage: (file) => (calls.push(`usage ${file}`), inner.usage(file)),
    discard: (ref) => (calls.push(`discard ${ref}`), inner.discard(ref)),
  };
}

function setup() {
  const runner = new FakeCommandRunner();
  const calls: string[] = [];
  const images = path.join(stateDir, "images");
  mkdirSync(images, { recursive: true });
  for (const file of ["root.qcow2", "vmlinuz", "initrd.img"]) writeFileSync(path.join(images, file), "image");
  writeFileSync(
    imagePointer(images, "bookworm"),
    JSON.stringify({
      recipe: IMAGE_RECIPE,
      dir: images,
      suite: "bookworm",
      disk: path.join(images, "root.qcow2"),
      kernel: path.join(images, "vmlinuz"),
      initrd: path.join(images, "initrd.img"),
    }),
  );
  const rt = createQemuRuntime({
    config: configSchema.parse({ vm: { runAs: "", accelerator: "tcg", imageDir: images } }),
    stateDir,
    runner,
    logger: new FakeLogger(),
    clock: { now: () => new Date() },
    leases: { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() },
    catalog: { list: () => [], get: () => undefined },
    diskVolumes: (request) => recording(directoryDiskVolumes(runner, request.at!), calls),
  });
  return { runner, rt, calls, images };
}

const spec = validateVmSpec({ name: "lab", cpus: 1, memory: "512M", disk: "4G", workspace: "1G" });
const noop = () => undefined;
const madeByHand = ["qemu-img", "mkfs.ext4", "cp", "rm", "mv"];

void describe("QEMU runtime disks through the storage port", () => {
  void it("a create asks storage for the disk set and overlay, and a later failure deletes the set through it", async () => {
    const { runner, rt, calls, images } = setup();
    const folder = path.join(rt.paths.machines, "lab");
    await assert.rejects(
      rt.create(spec, { ownerLabel: "local:alice", onProgress: noop }),
      /ssh-keygen/,
      "the seed's key generation is not scripted, so the create fails after the overlay",
    );
    assert.deepEqual(calls, [
      `createDiskSet ${folder}`,
      `createOverlay ${path.join(folder, "root.qcow2")} ${path.join(images, "root.qcow2")}`,
      `deleteDiskSet ${folder}`,
    ]);
    assert.equal(existsSync(folder), false, "nothing is left");
    assert.deepEqual(
      runner.calls.filter((call) => madeByHand.includes(call.command)),
      [],
      "no disk command ran for the runtime itself",
    );
  });

  void it("a destroy keeps the root disk through the port and removes the folder through it; usage and discard too", async () => {
    const { runner, rt, calls } = setup();
    const folder = path.join(rt.paths.machines, "keep");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "root.qcow2"), "overlay");
    truncateSync(path.join(folder, "root.qcow2"), 64 * 1024 ** 2);
    writeFileSync(path.join(folder, "vm.json"), JSON.stringify({ spec: { ...spec, name: "keep" } }));
    writeFileSync(path.join(folder, "console.log"), "not kept");

    const usage = await rt.rootDiskUsage!(["keep" as WorkloadName, "absent" as WorkloadName]);
    assert.deepEqual([...usage.keys()], ["keep"], "a VM without an overlay is left out");
    const report = await rt.destroy("keep" as WorkloadName, { onProgress: noop, keepRootDisk: REF });
    assert.equal(report.keptRootDisk?.ref, REF);
    assert.deepEqual(calls.slice(-2), [`keep ${REF} root.qcow2`, `deleteDiskSet ${folder}`]);
    assert.equal(existsSync(folder), false);
    assert.deepEqual(readdirSync(path.join(rt.paths.root, "kept", REF)).sort(), ["root.qcow2", "vm.json"]);
    await rt.discardRootDisk!(REF);
    assert.equal(calls.at(-1), `discard ${REF}`);
    assert.equal(existsSync(path.join(rt.paths.root, "kept", REF)), false);
    assert.deepEqual(
      runner.calls.filter((call) => madeByHand.includes(call.command)),
      [],
    );
  });
});
