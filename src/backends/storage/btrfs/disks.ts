/**
 * Disk volumes on the btrfs pool (`<mountpoint>/<runtime>`): each disk set and each kept
 * volume is a subvolume created straight into the owner's level-1 qgroup, so every block a
 * guest makes its hypervisor write to an overlay or a workspace disk counts against the
 * owner's quota, and a write past it fails like a workspace write. Keeping moves a disk into
 * the kept subvolume (another subvolume, so a reflinked copy: no data is copied) and a restore
 * clones it back the same way.
 *
 * @module
 */
import { chmodSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { DiskVolumes } from "../../../ports/disk-volumes.js";
import { doctorCheck } from "../../../host/doctor-checks.js";
import { folderDiskVolumes } from "../directory-disks.js";
import type { BtrfsPaths } from "./paths.js";
import { poolMounted } from "./pool.js";
import { createSubvolume } from "./qgroups.js";

/** The btrfs pool's disk-volume area for one runtime; `ensurePool` makes the pool usable. */
export function btrfsDiskVolumes(
  runner: CommandRunner,
  paths: BtrfsPaths,
  runtime: string,
  ensurePool: () => Promise<void>,
): DiskVolumes {
  const hostPath = path.join(paths.mountpoint, runtime);
  return folderDiskVolumes(runner, hostPath, {
    quotaAccounted: true,
    ready: ensurePool,
    async create(dir, quotaGroup) {
      await createSubvolume(runner, dir, quotaGroup);
      chmodSync(dir, 0o700);
    },
    async remove(dir) {
      if (!existsSync(dir)) return;
      const deleted = await runner.run("btrfs", ["subvolume", "delete", dir], { timeoutMs: 60_000 });
      // Not a subvolume (a folder made before the pool held disks): remove it as a directory.
      if (deleted.exitCode !== 0 && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
    async doctor() {
      const mounted = poolMounted(paths);
      return [
        doctorCheck(
          "VM disk storage",
          mounted,
          mounted
            ? `VM disks are in btrfs subvolumes under ${hostPath}, counted in their owners' quotas.`
            : `The btrfs pool holding ${hostPath} is not mounted.`,
          "Run `voxnix setup`.",
        ),
      ];
    },
  });
}
