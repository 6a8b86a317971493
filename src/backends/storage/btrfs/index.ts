/**
 * The btrfs storage driver: real per-user quotas (qgroups), workspace subvolumes and
 * copy-on-write snapshots on a device or a loop image voxnix creates. See `paths.ts` for
 * the layout and `qgroups.ts` for why quotas live on level-1 qgroups.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { HostFailureError } from "../../../domain/errors.js";
import type { StorageDriver } from "../../../ports/storage-driver.js";
import type { BackendDeps } from "../../deps.js";
import { checkSegment, resolveBtrfsPaths } from "./paths.js";
import { ensurePool, poolDoctor, poolMounted } from "./pool.js";
import { directoryRootVolumes } from "../directory-roots.js";
import { btrfsRootVolumes } from "./roots.js";
import { directoryDiskVolumes } from "../directory-disks.js";
import { btrfsDiskVolumes } from "./disks.js";
import * as snapshots from "./snapshots.js";
import * as volumes from "./volumes.js";

export { resolveBtrfsPaths } from "./paths.js";
export { ensurePool, unmountPool, poolMounted } from "./pool.js";

/** Creates the btrfs storage driver. Nothing touches the host until a method is called. */
export function createBtrfsStorage(deps: BackendDeps): StorageDriver {
  const paths = resolveBtrfsPaths(deps);
  const runner = deps.runner;
  let ready: Promise<void> | undefined;
  // One pool check per process; a failed one is retried on the next call.
  const ensureReady = (): Promise<void> => {
    ready ??= ensurePool(runner, paths).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  // Reads never create a pool: with no device, no image and nothing mounted there is no data.
  const readyForRead = async (): Promise<boolean> => {
    if (!poolMounted(paths) && paths.device === undefined && !existsSync(paths.image)) return false;
    await ensureReady();
    return true;
  };
  const noUsage = { usedBytes: 0, quotaBytes: null, availableBytes: null };

  return {
    info: () => ({ name: "btrfs", quotas: true, cowSnapshots: true }),
    ensureReady,
    doctor: () => poolDoctor(runner, paths),
    async ensureUser(userKey, quotaBytes) {
      await ensureReady();
      await volumes.ensureUser(runner, paths, userKey, quotaBytes);
    },
    async userUsage(userKey) {
      if (!(await readyForRead())) return noUsage;
      return volumes.userUsage(runner, paths, userKey);
    },
    async quotaGroup(userKey) {
      await ensureReady();
      return volumes.ensureUserArea(runner, paths, userKey);
    },
    workspacePath: (userKey, workload) => volumes.workspacePath(paths, userKey, workload),
    async createWorkspace(userKey, workload, options) {
      await ensureReady();
      return { hostPath: await volumes.createWorkspace(runner, paths, userKey, workload, options?.sizeBytes) };
    },
    async ensureWorkspaceMounted(userKey, workload) {
      await ensureReady();
      const hostPath = volumes.workspacePath(paths, userKey, workload);
      if (!existsSync(hostPath))
        throw new HostFailureError(`The workspace of "${workload}" is missing from the btrfs pool (${hostPath}).`);
      return { hostPath };
    },
    async resizeWorkspace(userKey, workload, sizeBytes) {
      await ensureReady();
      const hostPath = volumes.workspacePath(paths, userKey, workload);
      if (!existsSync(hostPath))
        throw new HostFailureError(`The workspace of "${workload}" is missing from the btrfs pool (${hostPath}).`);
      await volumes.limitWorkspace(runner, paths, hostPath, sizeBytes);
    },
    async deleteWorkspace(userKey, workload) {
      await ensureReady();
      await volumes.deleteWorkspace(runner, paths, userKey, workload);
    },
    async workspaceUsage(userKey, workload) {
      if (!(await readyForRead())) return noUsage;
      return volumes.workspaceUsage(runner, paths, userKey, workload);
    },
    async workspaceExists(userKey, workload) {
      if (!(await readyForRead())) return false;
      return existsSync(volumes.workspacePath(paths, userKey, workload));
    },
    async snapshotWorkspace(userKey, workload, label) {
      await ensureReady();
      return snapshots.snapshotWorkspace(runner, paths, userKey, workload, label);
    },
    async restoreWorkspace(snapshot, userKey, workload, options) {
      await ensureReady();
      const hostPath = await snapshots.restoreWorkspace(runner, paths, snapshot, userKey, workload);
      if (options?.sizeBytes !== undefined) await volumes.limitWorkspace(runner, paths, hostPath, options.sizeBytes);
      return { hostPath };
    },
    async deleteSnapshot(snapshot) {
      await ensureReady();
      await snapshots.deleteSnapshot(runner, paths, snapshot);
    },
    // A runtime's area is on the pool unless its own configuration put it elsewhere.
    rootVolumes: (request) =>
      request.at === undefined
        ? btrfsRootVolumes(runner, paths, checkSegment("workload", request.runtime), () => ensurePool(runner, paths))
        : directoryRootVolumes(runner, request.at),
    // The same for disks: on the pool, in the owner's qgroup, unless the runtime placed its area.
    diskVolumes: (request) =>
      request.at === undefined
        ? btrfsDiskVolumes(runner, paths, checkSegment("workload", request.runtime), () => ensurePool(runner, paths))
        : directoryDiskVolumes(runner, request.at),
  };
}
