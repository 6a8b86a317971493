/**
 * The btrfs pool's lifecycle: a real device or a sparse loop image that voxnix creates,
 * mounted at the configured mount point with quotas enabled. `ensurePool` is idempotent and
 * is what makes the pool usable again after a host reboot (the loop mount does not survive one).
 *
 * @module
 */
import { mkdirSync, openSync, closeSync, ftruncateSync, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../../domain/errors.js";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { DoctorCheck } from "../../../ports/runtime.js";
import type { BtrfsPaths } from "./paths.js";
import { mountAt } from "../../../host/mounts.js";
import { runChecked, runOk } from "../../../host/commands.js";

/** Sizes below this make mkfs.btrfs refuse or leave no room for metadata. */
const MIN_IMAGE_BYTES = 256 * 1024 ** 2;

/** True when a btrfs file system is mounted exactly at the pool's mount point. */
export function poolMounted(paths: BtrfsPaths): boolean {
  return mountAt(paths.mountpoint)?.fstype === "btrfs";
}

/**
 * Makes the pool usable: creates the loop image and file system when missing, mounts it,
 * enables quotas and creates the top-level directories. Safe to call before every operation.
 */
export async function ensurePool(runner: CommandRunner, paths: BtrfsPaths): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new HostFailureError(
      "The btrfs storage needs root (it creates, mounts and manages a btrfs file system): run voxnix with sudo, or use --dry-run to see the plan.",
    );
  }
  if (!poolMounted(paths)) {
    const source = paths.device ?? (await ensureImage(runner, paths));
    mkdirSync(paths.mountpoint, { recursive: true });
    const args = paths.device === undefined ? ["-o", "loop", source, paths.mountpoint] : [source, paths.mountpoint];
    const result = await runner.run("mount", ["-t", "btrfs", ...args], { timeoutMs: 60_000 });
    // Two voxnix processes may race to mount; the loser finds the mount in place.
    if (result.exitCode !== 0 && !poolMounted(paths)) {
      throw new HostFailureError(`Could not mount the btrfs pool at ${paths.mountpoint}.`, result.stderr.trim());
    }
  }
  if (!(await runOk(runner, "btrfs", ["qgroup", "show", paths.mountpoint]))) {
    await runChecked(runner, "btrfs", ["quota", "enable", paths.mountpoint], {
      what: "enable btrfs quotas",
      timeoutMs: 120_000,
    });
  }
  mkdirSync(paths.users, { recursive: true });
  mkdirSync(paths.snapshots, { recursive: true });
}

async function ensureImage(runner: CommandRunner, paths: BtrfsPaths): Promise<string> {
  if (existsSync(paths.image) && statSync(paths.image).size > 0) return paths.image;
  if (paths.imageSizeBytes < MIN_IMAGE_BYTES) {
    throw new HostFailureError(`The btrfs image size must be at least 256M (storage.btrfs.imageSize).`);
  }
  mkdirSync(path.dirname(paths.image), { recursive: true });
  // A sparse file: it takes disk space only as containers write.
  const descriptor = openSync(paths.image, "w", 0o600);
  try {
    ftruncateSync(descriptor, paths.imageSizeBytes);
  } finally {
    closeSync(descriptor);
  }
  await runChecked(runner, "mkfs.btrfs", ["-q", "-L", "voxnix", paths.image], {
    what: "format the btrfs image",
    timeoutMs: 120_000,
  });
  return paths.image;
}

/** Unmounts the pool (tests and uninstall); a pool that is not mounted succeeds. */
export async function unmountPool(runner: CommandRunner, paths: BtrfsPaths): Promise<void> {
  if (!poolMounted(paths)) return;
  await runChecked(runner, "umount", [paths.mountpoint], { what: "unmount the btrfs pool", timeoutMs: 60_000 });
}

/** Prerequisite checks for `voxnix doctor`. */
export async function poolDoctor(runner: CommandRunner, paths: BtrfsPaths): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const tools = await runOk(runner, "btrfs", ["--version"]);
  checks.push({
    name: "btrfs-progs",
    ok: tools,
    detail: tools ? "btrfs and mkfs.btrfs are installed." : "The btrfs command is missing.",
    ...(tools ? {} : { fix: "apt-get install -y btrfs-progs (or run `voxnix setup`)." }),
  });
  const kernel = await kernelSupportsBtrfs(runner);
  checks.push({
    name: "kernel btrfs",
    ok: kernel,
    detail: kernel ? "The kernel supports btrfs." : "The kernel does not list btrfs in /proc/filesystems.",
    ...(kernel ? {} : { fix: "modprobe btrfs, or choose storage.driver: dir (no quotas)." }),
  });
  if (paths.device === undefined) {
    const loop = existsSync("/dev/loop-control");
    checks.push({
      name: "loop devices",
      ok: loop,
      detail: loop
        ? "Loop devices are available for the btrfs image."
        : "/dev/loop-control is missing, so the btrfs image cannot be mounted.",
      ...(loop ? {} : { fix: "modprobe loop, or set storage.btrfs.device to a real block device." }),
    });
  }
  const mounted = poolMounted(paths);
  checks.push({
    name: "btrfs pool",
    ok: mounted,
    detail: mounted
      ? `Mounted at ${paths.mountpoint}; per-user quotas are enforced with qgroups.`
      : `Not mounted at ${paths.mountpoint} (${paths.device ?? paths.image}).`,
    ...(mounted ? {} : { fix: "Run `voxnix setup` (creates and mounts it); voxnix also mounts it on start." }),
  });
  return checks;
}

async function kernelSupportsBtrfs(runner: CommandRunner): Promise<boolean> {
  try {
    if (readFileSync("/proc/filesystems", "utf8").includes("btrfs")) return true;
  } catch {
    // fall through to modprobe
  }
  return runOk(runner, "modprobe", ["btrfs"]);
}
