/**
 * A destroyed microvm's root volume kept for the undo window, so `ctl restore` brings the VM
 * back as it was: its `var.img` (the guest's root file system), its seed (with its host key,
 * so secrets re-keyed to the VM still open), voxnix's client key and pinned known_hosts entry.
 *
 *   <root>/kept/<snapshot id>/{var.img,seed/,client-key,client-key.pub,known_hosts,record.json}
 *
 * Keeping moves files voxnix owns (the VM is going away; a rename costs nothing), staged in
 * `<id>.part` so a crash never leaves a half-kept volume under the real name. Restoring copies
 * them back (`cp --reflink=auto`: a clone on btrfs and XFS, a sparse copy elsewhere), so a
 * restore that fails half-way still has the kept one; the core discards it once the restore
 * succeeded, or when the undo window passes.
 *
 * @module
 */
import { cpSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DestroyReport } from "../../ports/runtime.js";
import { runChecked } from "../../host/commands.js";
import type { MicrovmPaths, MicrovmVmPaths } from "./paths.js";

/** The file name of the kept root volume in `kept/<ref>/`. */
const KEPT_VOLUME = "var.img";
/** Files kept beside the volume and the seed, by their name in the VM's folder. */
const KEPT_FILES = ["client-key", "client-key.pub", "known_hosts", "record.json"] as const;
// Snapshot ids are UUIDs; nothing else names a folder under kept/, and a reference is never a path.
const REF_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Allocated bytes of a file voxnix owns (lstat: a link is never followed); 0 when absent. */
export function allocated(file: string): number {
  try {
    const stat = lstatSync(file);
    return stat.isFile() ? stat.blocks * 512 : 0;
  } catch {
    return 0;
  }
}

/** The folder of kept volume `ref`; throws for anything that is not a snapshot id. */
export function keptDir(paths: MicrovmPaths, ref: string): string {
  if (!REF_PATTERN.test(ref)) throw new HostFailureError(`"${ref}" is not a kept root disk reference.`);
  return path.join(paths.kept, ref);
}

/**
 * Moves a stopped VM's root volume, seed and keys under `ref` and reports what is kept. A
 * retried destroy whose volume is already kept reports it again; a VM that was never fully
 * made (no record) keeps nothing.
 */
export function keepRootVolume(paths: MicrovmPaths, files: MicrovmVmPaths, ref: string): DestroyReport["keptRootDisk"] {
  const dir = keptDir(paths, ref);
  if (!existsSync(dir) && existsSync(files.record)) {
    const staging = `${dir}.part`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    if (existsSync(files.rootVolume)) renameSync(files.rootVolume, path.join(staging, KEPT_VOLUME));
    if (existsSync(files.seed)) renameSync(files.seed, path.join(staging, "seed"));
    for (const file of KEPT_FILES) {
      if (existsSync(path.join(files.dir, file))) renameSync(path.join(files.dir, file), path.join(staging, file));
    }
    renameSync(staging, dir);
  }
  return existsSync(dir) ? { ref, bytes: allocated(path.join(dir, KEPT_VOLUME)) } : undefined;
}

/** Copies a kept VM's root volume, seed and keys back into `files` (the kept copy stays until discarded). */
export async function restoreKeptVolume(
  runner: CommandRunner,
  paths: MicrovmPaths,
  ref: string,
  files: MicrovmVmPaths,
): Promise<void> {
  const kept = keptDir(paths, ref);
  if (!existsSync(path.join(kept, "seed")))
    throw new HostFailureError(`The kept root disk ${ref} is gone; nothing to restore the VM from.`);
  cpSync(path.join(kept, "seed"), files.seed, { recursive: true });
  for (const file of ["client-key", "client-key.pub", "known_hosts"])
    cpSync(path.join(kept, file), path.join(files.dir, file));
  if (existsSync(path.join(kept, KEPT_VOLUME))) {
    await runChecked(
      runner,
      "cp",
      ["--reflink=auto", "--sparse=always", "--no-dereference", "--", path.join(kept, KEPT_VOLUME), files.rootVolume],
      { what: "copy the kept root volume", timeoutMs: 600_000 },
    );
  }
}

/** Deletes a kept volume; unknown references succeed. */
export function discardKeptVolume(paths: MicrovmPaths, ref: string): void {
  rmSync(keptDir(paths, ref), { recursive: true, force: true });
}
