/**
 * A destroyed VM's root disk kept for the undo window, so `ctl restore` brings the VM back as
 * it was: its qcow2 overlay (the guest's root file system, on the base image it was made
 * from), its seed (with its host key, so secrets re-keyed to the VM still open) and voxnix's
 * client key and pinned known_hosts entry. The storage port's disk volumes keep, copy back and
 * discard them (`DiskVolumes.keep/restore/discard`); this module only says which of the VM's
 * files make up the kept volume and checks that the base image a kept overlay names is still
 * there:
 *
 *   <root>/kept/<snapshot id>/{root.qcow2,seed.img,client-key,client-key.pub,known_hosts,vm.json}
 *
 * The core discards the kept copy once the restore succeeded, or when the undo window passes.
 * The overlay names its base image by absolute path; image folders are never removed while
 * in use, and a restore whose base image is gone fails clearly instead of booting a broken disk.
 *
 * @module
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { DiskVolumes, KeptDisks } from "../../ports/disk-volumes.js";
import type { VmPaths } from "./paths.js";

/** Files kept with the overlay, by their name in the VM's folder; the overlay first (no overlay, nothing kept). */
const KEPT_FILES = ["root.qcow2", "seed.img", "client-key", "client-key.pub", "known_hosts", "vm.json"] as const;

/** What a kept `vm.json` says about the image its overlay is based on. */
export interface KeptImage {
  readonly baseDisk: string;
  readonly kernel: string;
  readonly initrd: string;
}

/**
 * Moves the stopped VM's overlay, seed, keys and record into the kept volume `ref` (QEMU must
 * have exited). A retried destroy whose disk is already kept reports it again. Undefined when
 * the VM has no overlay to keep (never created, or already removed without keeping).
 */
export function keepRootDisk(disks: DiskVolumes, files: VmPaths, ref: string): Promise<KeptDisks | undefined> {
  return disks.keep(
    ref,
    KEPT_FILES.map((name) => ({ from: path.join(files.dir, name), name })),
  );
}

/**
 * Copies kept disk `ref` into the new VM folder `files.dir` (which must exist and be empty of
 * these files) and returns the image its overlay is based on. Throws when the kept disk or its
 * base image is gone.
 */
export async function restoreKeptDisk(disks: DiskVolumes, ref: string, files: VmPaths): Promise<KeptImage> {
  let image: KeptImage;
  try {
    image = JSON.parse((await disks.readKept(ref, "vm.json")) ?? "") as KeptImage;
  } catch (error) {
    if (error instanceof HostFailureError) throw error;
    throw new HostFailureError(`The kept root disk ${ref} is gone or incomplete; nothing to restore the VM from.`);
  }
  for (const file of [image.baseDisk, image.kernel, image.initrd]) {
    if (typeof file !== "string" || !existsSync(file)) {
      throw new HostFailureError(
        `The base image this VM's root disk was made from is gone (${String(file)}); its root disk cannot be restored.`,
      );
    }
  }
  await disks.restore(
    ref,
    KEPT_FILES.filter((name) => name !== "vm.json").map((name) => ({ name, to: path.join(files.dir, name) })),
  );
  return { baseDisk: image.baseDisk, kernel: image.kernel, initrd: image.initrd };
}
