/**
 * A destroyed microvm's root volume kept for the undo window, so `ctl restore` brings the VM
 * back as it was: its `var.img` (the guest's root file system), its seed (with its host key,
 * so secrets re-keyed to the VM still open), voxnix's client key and pinned known_hosts entry.
 * The storage port's disk volumes keep, copy back and discard them
 * (`DiskVolumes.keep/restore/discard`); this module only says which files make up the kept
 * volume and where each comes from:
 *
 *   <root>/kept/<snapshot id>/{record.json,var.img,seed/,client-key,client-key.pub,known_hosts}
 *
 * @module
 */
import type { DiskVolumes, KeptDisks } from "../../ports/disk-volumes.js";
import type { MicrovmVmPaths } from "./paths.js";

/** Where each kept entry lives in a VM's folders; the record first (a VM never fully made keeps nothing). */
function keptEntries(files: MicrovmVmPaths): readonly { readonly name: string; readonly path: string }[] {
  return [
    { name: "record.json", path: files.record },
    { name: "var.img", path: files.rootVolume },
    { name: "seed", path: files.seed },
    { name: "client-key", path: files.clientKey },
    { name: "client-key.pub", path: `${files.clientKey}.pub` },
    { name: "known_hosts", path: files.knownHosts },
  ];
}

/**
 * Moves a stopped VM's root volume, seed and keys into the kept volume `ref` and reports what
 * is kept. A retried destroy whose volume is already kept reports it again.
 */
export function keepRootVolume(disks: DiskVolumes, files: MicrovmVmPaths, ref: string): Promise<KeptDisks | undefined> {
  return disks.keep(
    ref,
    keptEntries(files).map((entry) => ({ from: entry.path, name: entry.name })),
  );
}

/**
 * Copies a kept VM's root volume, seed and keys back into `files` (the kept copy stays until
 * discarded). The record is not copied: the restored VM gets a new one. A VM destroyed before
 * its first boot has no `var.img`; microvm.nix makes a fresh one then.
 */
export function restoreKeptVolume(disks: DiskVolumes, ref: string, files: MicrovmVmPaths): Promise<void> {
  return disks.restore(
    ref,
    keptEntries(files)
      .filter((entry) => entry.name !== "record.json")
      .map((entry) => ({ name: entry.name, to: entry.path, ...(entry.name === "var.img" ? { optional: true } : {}) })),
  );
}
