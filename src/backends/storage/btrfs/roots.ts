/**
 * Root volumes on the btrfs pool (`<mountpoint>/<runtime>`): images are subvolumes and each
 * root is a writable snapshot of its image (near-free) created straight into the owner's
 * level-1 qgroup, so everything the tenant writes to the root counts against their quota,
 * while the blocks shared with the image count against nobody (see `volumes.ts`).
 *
 * @module
 */
import { existsSync, mkdirSync, rmSync, statfsSync } from "node:fs";
import path from "node:path";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { DoctorCheck } from "../../../ports/runtime.js";
import type { RootVolumes } from "../../../ports/root-volumes.js";
import { runChecked } from "../../../host/commands.js";
import { doctorCheck } from "../../../host/doctor-checks.js";
import { createOverlayRoot, isOverlayRoot, mountOverlayRoot, removeRootTree, unmountRoot } from "../directory-roots.js";
import type { BtrfsPaths } from "./paths.js";
import { poolMounted } from "./pool.js";

const BTRFS_MAGIC = 0x9123683e;

/** True when `directory` is on a btrfs file system. */
export function onBtrfs(directory: string): boolean {
  try {
    return statfsSync(directory).type === BTRFS_MAGIC;
  } catch {
    return false;
  }
}

/** The btrfs pool's root-volume area for one runtime; `ensurePool` makes the pool usable. */
export function btrfsRootVolumes(
  runner: CommandRunner,
  paths: BtrfsPaths,
  runtime: string,
  ensurePool: () => Promise<void>,
): RootVolumes {
  const hostPath = path.join(paths.mountpoint, runtime);
  return {
    hostPath,
    async ensureReady() {
      await ensurePool();
      mkdirSync(hostPath, { recursive: true });
    },
    async reopen() {
      if (!poolMounted(paths) && paths.device === undefined && !existsSync(paths.image)) return false;
      await ensurePool();
      return true;
    },
    async createImage(target) {
      await runChecked(runner, "btrfs", ["subvolume", "create", target], { what: "create the image subvolume" });
      return { hostPath: target, cow: true };
    },
    async deleteImage(target) {
      if (!existsSync(target)) return;
      const deleted = await runner.run("btrfs", ["subvolume", "delete", target], { timeoutMs: 120_000 });
      if (deleted.exitCode !== 0) rmSync(target, { recursive: true, force: true });
    },
    async cloneRoot(image, location, options = {}) {
      mkdirSync(path.dirname(location.root), { recursive: true });
      // An image that is not a subvolume on the pool (copied in by hand) cannot be snapshotted.
      if (!onBtrfs(image)) {
        const made = await createOverlayRoot(runner, image, location, options.idRange);
        return { kind: "overlay", accounted: Promise.resolve(), ...made };
      }
      const into = options.quotaGroup === undefined ? [] : ["-i", options.quotaGroup];
      await runChecked(runner, "btrfs", ["subvolume", "snapshot", ...into, image, location.root], {
        what: "snapshot the base image",
      });
      const accounted = options.quotaGroup === undefined ? Promise.resolve() : rescanQuotas(runner, paths.mountpoint);
      // Observed by the caller later; a rejection must not surface as unhandled meanwhile.
      accounted.catch(() => undefined);
      return { kind: "snapshot", accounted };
    },
    cloneCommand: (image, location) => ["btrfs", "subvolume", "snapshot", image, location.root],
    rootKind: (location) => (isOverlayRoot(location) ? "overlay" : existsSync(location.root) ? "snapshot" : undefined),
    async mountRoot(location) {
      if (isOverlayRoot(location)) await mountOverlayRoot(runner, location);
    },
    async deleteRoot(location) {
      await unmountRoot(runner, location);
      if (
        !isOverlayRoot(location) &&
        existsSync(location.root) &&
        onBtrfs(location.root) &&
        existsSync(path.join(location.root, "etc"))
      ) {
        await deleteSubvolumeTree(runner, location.root, paths.mountpoint);
      }
      await removeRootTree(runner, location);
    },
    async doctor(): Promise<DoctorCheck[]> {
      const mounted = poolMounted(paths);
      return [
        doctorCheck(
          "container storage",
          mounted,
          mounted
            ? `Workload roots are btrfs snapshots under ${hostPath}.`
            : `The btrfs pool holding ${hostPath} is not mounted.`,
          "Run `voxnix setup`.",
        ),
      ];
    },
  };
}

/**
 * Recounts btrfs quotas and waits for the recount. A snapshot joining a group its source is not
 * in leaves btrfs's numbers inconsistent until a rescan (measured: writes then go uncounted).
 * A recount another create started earlier may not include this root, so when one is already
 * running, this waits for it (`-W`) and then runs its own.
 */
async function rescanQuotas(runner: CommandRunner, pool: string): Promise<void> {
  const options = { what: "recount disk quotas after adding the root", timeoutMs: 10 * 60_000 };
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await runner.run("btrfs", ["quota", "rescan", "-w", pool], { timeoutMs: options.timeoutMs });
    if (started.exitCode === 0) return;
    if (!/in progress|busy/i.test(started.stderr)) break;
    await runner.run("btrfs", ["quota", "rescan", "-W", pool], { timeoutMs: options.timeoutMs });
  }
  await runChecked(runner, "btrfs", ["quota", "rescan", "-w", pool], options);
}

/** Deletes a subvolume and, first, the subvolumes nested in it (systemd inside creates some, e.g. /var/lib/machines). */
async function deleteSubvolumeTree(runner: CommandRunner, target: string, top: string): Promise<void> {
  const listed = await runner.run("btrfs", ["subvolume", "list", "-o", target], { timeoutMs: 30_000 });
  if (listed.exitCode === 0) {
    const nested = listed.stdout
      .split("\n")
      .map((line) => /\spath\s(.+)$/.exec(line)?.[1])
      .filter((relative): relative is string => relative !== undefined)
      .map((relative) => path.join(top, relative.replace(/^<FS_TREE>\//, "")))
      .sort((a, b) => b.length - a.length);
    for (const child of nested) if (existsSync(child)) await deleteSubvolumeTree(runner, child, top);
  }
  const deleted = await runner.run("btrfs", ["subvolume", "delete", target], { timeoutMs: 60_000 });
  if (deleted.exitCode !== 0 && existsSync(target)) {
    // Not a subvolume root (e.g. a plain copy): remove it as a directory.
    rmSync(target, { recursive: true, force: true });
  }
}
