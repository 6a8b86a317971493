/**
 * A destroyed VM's root disk kept for the undo window, so `ctl restore` brings the VM back as
 * it was: its qcow2 overlay (the guest's root file system, on the base image it was made
 * from), its seed (with its host key, so secrets re-keyed to the VM still open) and voxnix's
 * client key and pinned known_hosts entry.
 *
 *   <root>/kept/<snapshot id>/{root.qcow2,seed.img,client-key,client-key.pub,known_hosts,vm.json}
 *
 * Keeping is a rename of files voxnix owns (the VM is going away, so no copy is needed and the
 * same file system makes it atomic), staged in `<id>.part` so a crash never leaves a half-kept
 * disk under the real name. Restoring copies them back (`cp --reflink=auto`: free on btrfs and
 * XFS, a sparse copy elsewhere), so a restore that fails half-way still has the kept disk; the
 * core discards the kept copy once the restore succeeded, or when the undo window passes.
 * The overlay names its base image by absolute path; image folders are never removed while
 * in use, and a restore whose base image is gone fails clearly instead of booting a broken disk.
 *
 * @module
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { runChecked } from "../../host/commands.js";
import type { QemuPaths, VmPaths } from "./paths.js";

/** Files kept with the overlay, by their name in the VM's folder. */
const KEPT_FILES = ["root.qcow2", "seed.img", "client-key", "client-key.pub", "known_hosts", "vm.json"] as const;

// Snapshot ids are UUIDs; nothing else names a folder under kept/, and a reference is never a path.
const REF_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a kept `vm.json` says about the image its overlay is based on. */
export interface KeptImage {
  readonly baseDisk: string;
  readonly kernel: string;
  readonly initrd: string;
}

/** The folder of kept disk `ref`; throws for anything that is not a snapshot id. */
export function keptDir(paths: QemuPaths, ref: string): string {
  if (!REF_PATTERN.test(ref)) throw new HostFailureError(`"${ref}" is not a kept root disk reference.`);
  return path.join(paths.root, "kept", ref);
}

/** Allocated bytes of a file voxnix owns (lstat: never a link followed); 0 when absent. */
export function allocatedBytes(file: string): number {
  try {
    const stat = lstatSync(file);
    return stat.isFile() ? stat.blocks * 512 : 0;
  } catch {
    return 0;
  }
}

/**
 * Moves the stopped VM's overlay, seed, keys and record to `kept/<ref>` (QEMU must have
 * exited). A retried destroy whose disk is already kept reports it again. Undefined when the
 * VM has no overlay to keep (never created, or already removed without keeping).
 */
export function keepRootDisk(
  paths: QemuPaths,
  files: VmPaths,
  ref: string,
): { readonly ref: string; readonly bytes: number } | undefined {
  const dir = keptDir(paths, ref);
  if (!existsSync(dir) && existsSync(files.overlay)) {
    const staging = `${dir}.part`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    for (const file of KEPT_FILES) {
      const from = path.join(files.dir, file);
      if (existsSync(from)) renameSync(from, path.join(staging, file));
    }
    renameSync(staging, dir);
  }
  return existsSync(dir) ? { ref, bytes: allocatedBytes(path.join(dir, "root.qcow2")) } : undefined;
}

/**
 * Copies kept disk `ref` into the new VM folder `files.dir` (which must exist and be empty of
 * these files) and returns the image its overlay is based on. Throws when the kept disk or its
 * base image is gone.
 */
export async function restoreKeptDisk(
  runner: CommandRunner,
  paths: QemuPaths,
  ref: string,
  files: VmPaths,
): Promise<KeptImage> {
  const dir = keptDir(paths, ref);
  let image: KeptImage;
  try {
    image = JSON.parse(readFileSync(path.join(dir, "vm.json"), "utf8")) as KeptImage;
  } catch {
    throw new HostFailureError(`The kept root disk ${ref} is gone or incomplete; nothing to restore the VM from.`);
  }
  for (const file of [image.baseDisk, image.kernel, image.initrd]) {
    if (typeof file !== "string" || !existsSync(file)) {
      throw new HostFailureError(
        `The base image this VM's root disk was made from is gone (${String(file)}); its root disk cannot be restored.`,
      );
    }
  }
  for (const file of KEPT_FILES) {
    if (file === "vm.json") continue;
    const from = path.join(dir, file);
    if (!existsSync(from))
      throw new HostFailureError(`The kept root disk ${ref} has no ${file}; nothing to restore the VM from.`);
    // --reflink=auto: a clone where the file system has them (btrfs, XFS), else a sparse copy.
    await runChecked(
      runner,
      "cp",
      ["--reflink=auto", "--sparse=always", "--no-dereference", "--", from, path.join(files.dir, file)],
      { what: `copy the kept ${file}`, timeoutMs: 600_000 },
    );
  }
  return { baseDisk: image.baseDisk, kernel: image.kernel, initrd: image.initrd };
}

/** Deletes kept disk `ref`; an unknown one succeeds. */
export function discardKeptDisk(paths: QemuPaths, ref: string): void {
  rmSync(keptDir(paths, ref), { recursive: true, force: true });
}
