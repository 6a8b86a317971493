/**
 * Disk image files, made and measured the same way by every driver's disk volumes
 * (`disk-volumes.ts` in the ports): a qcow2 overlay over a base image (`qemu-img create`), a
 * sparse raw disk formatted ext4 (`mkfs.ext4`, so its size is the limit), growing either,
 * allocated bytes, and moving or copying a disk without following links. The host writes these
 * files only before a guest first sees them, and never mounts, checks or reads inside them
 * afterwards: what a guest wrote is never parsed here.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DiskFormat } from "../../ports/disk-volumes.js";
import { runChecked } from "../../host/commands.js";

/** How long a whole-disk copy or format may take (a sparse disk of many GiB on a slow pool). */
const COPY_TIMEOUT_MS = 600_000;

/** `qemu-img create` argv (after the program) for an overlay of `base` at `file`. */
export function overlayArgs(base: string, file: string, sizeBytes: number): string[] {
  return ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, file, String(sizeBytes)];
}

/** `mkfs.ext4` argv (after the program) for a fresh workspace disk. */
export function workspaceMkfsArgs(file: string, label: string): string[] {
  return ["-q", "-F", "-L", label, "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", file];
}

/** Refuses anything but an absolute path: every disk path comes from a runtime's own layout. */
export function requireAbsolute(file: string): string {
  if (!path.isAbsolute(file) || file.split("/").includes(".."))
    throw new HostFailureError(`"${file}" is not an absolute path of a disk.`);
  return file;
}

/** The lstat of `file`, or undefined when nothing is there (a link is reported as a link). */
function stat(file: string) {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Creates the overlay; refuses a path that exists (qemu-img would overwrite it). */
export async function createOverlayFile(
  runner: CommandRunner,
  file: string,
  base: string,
  sizeBytes: number,
): Promise<void> {
  requireAbsolute(file);
  requireAbsolute(base);
  if (stat(file) !== undefined) throw new HostFailureError(`The disk ${file} already exists; refusing to replace it.`);
  await runChecked(runner, "qemu-img", overlayArgs(base, file, sizeBytes), {
    what: "create the VM's root disk",
    timeoutMs: 60_000,
  });
}

/** Makes the ext4 workspace disk unless it exists; true when it made one. */
export async function createWorkspaceDiskFile(
  runner: CommandRunner,
  file: string,
  sizeBytes: number,
  label: string,
): Promise<boolean> {
  requireAbsolute(file);
  if (!/^[a-z0-9-]{1,16}$/.test(label))
    throw new HostFailureError(`"${label}" is not a file-system label voxnix uses.`);
  const existing = stat(file);
  if (existing !== undefined) {
    if (!existing.isFile())
      throw new HostFailureError("The VM's workspace disk is not a regular file; refusing to use it.", file);
    return false;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
  try {
    await runChecked(runner, "mkfs.ext4", workspaceMkfsArgs(file, label), {
      what: "format the VM's workspace disk",
      timeoutMs: 120_000,
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
  return true;
}

/** Grows a disk: qcow2 through `qemu-img resize` (its header is QEMU's, not the guest's), raw by extending the file. */
export async function growDiskFile(
  runner: CommandRunner,
  file: string,
  format: DiskFormat,
  sizeBytes: number,
): Promise<void> {
  requireAbsolute(file);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0)
    throw new HostFailureError(`${sizeBytes} is not a disk size in bytes.`);
  const existing = stat(file);
  if (existing === undefined || !existing.isFile())
    throw new HostFailureError(`The disk ${file} is missing or not a regular file; nothing to grow.`);
  const current = format === "qcow2" ? await qcow2VirtualSize(runner, file) : existing.size;
  if (sizeBytes < current)
    throw new HostFailureError(
      `The disk ${file} holds ${current} bytes; a disk is never shrunk (asked: ${sizeBytes}).`,
    );
  if (sizeBytes === current) return;
  if (format === "qcow2") {
    await runChecked(runner, "qemu-img", ["resize", "-q", "-f", "qcow2", file, String(sizeBytes)], {
      what: "grow the VM's disk",
      timeoutMs: 60_000,
    });
    return;
  }
  const fd = openSync(file, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFile()) throw new HostFailureError(`The disk ${file} is not a regular file.`);
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
}

/** The virtual size a qcow2 file's header records. */
async function qcow2VirtualSize(runner: CommandRunner, file: string): Promise<number> {
  const info = await runChecked(runner, "qemu-img", ["info", "--output=json", "-f", "qcow2", file], {
    what: "read the VM disk's size",
  });
  const size = (JSON.parse(info.stdout) as { "virtual-size"?: unknown })["virtual-size"];
  if (typeof size !== "number") throw new HostFailureError(`qemu-img reported no size for ${file}.`, info.stdout);
  return size;
}

/** Allocated bytes of a file voxnix owns (lstat: never a link followed); 0 when absent or not a file. */
export function allocatedBytes(file: string): number {
  const found = stat(file);
  return found?.isFile() === true ? found.blocks * 512 : 0;
}

/** Allocated bytes of every regular file below `target` (or of `target` itself), links never followed. */
export function treeAllocatedBytes(target: string): number {
  const found = stat(target);
  if (found === undefined) return 0;
  if (!found.isDirectory()) return found.isFile() ? found.blocks * 512 : 0;
  let total = 0;
  for (const entry of readdirSync(target)) total += treeAllocatedBytes(path.join(target, entry));
  return total;
}

/** True when something (a file, a folder or a link) is at `target`. */
export function present(target: string): boolean {
  return stat(target) !== undefined;
}

/** Copies a file or folder: a copy-on-write clone where the file system has them (btrfs, XFS), else sparse. */
export async function copyEntry(runner: CommandRunner, from: string, to: string, what: string): Promise<void> {
  await runChecked(
    runner,
    "cp",
    ["--recursive", "--reflink=auto", "--sparse=always", "--no-dereference", "--preserve=mode", "--", from, to],
    { what, timeoutMs: COPY_TIMEOUT_MS },
  );
}

/**
 * Moves a file or folder: a rename where it can (free, atomic), else (another file system or
 * another btrfs subvolume) a copy and then the removal of the original.
 */
export async function moveEntry(runner: CommandRunner, from: string, to: string): Promise<void> {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await copyEntry(runner, from, to, `keep ${path.basename(from)}`);
    rmSync(from, { recursive: true, force: true });
  }
}
