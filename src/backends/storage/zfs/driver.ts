/**
 * The ZFS storage driver: pool readiness and doctor checks, composed with the volume and
 * snapshot operations. Layout: `<pool>/users/<user>` (quota) → `containers/<name>/workspace`,
 * plus `<pool>/users/<user>/trash` for workspaces kept for their snapshots. A runtime's root and
 * disk volumes are plain files in `<stateDir>/<runtime>`, outside the pool.
 *
 * @module
 */
import { join } from "node:path";
import { HostFailureError } from "../../../domain/errors.js";
import type { DoctorCheck } from "../../../ports/runtime.js";
import type { StorageDriver } from "../../../ports/storage-driver.js";
import type { BackendDeps } from "../../deps.js";
import { deleteSnapshot, restoreWorkspace, snapshotWorkspace } from "./snapshots.js";
import {
  type ZfsContext,
  createDataset,
  createWorkspace,
  datasetExists,
  datasetUsage,
  deleteWorkspace,
  ensureUser,
  ensureWorkspaceMounted,
  limitWorkspace,
} from "./volumes.js";
import { ZfsLayout, checkWorkload, expectZfsSuccess, runZfs, saysMissing } from "./zfs-cli.js";
import { directoryRootVolumes } from "../directory-roots.js";
import { directoryDiskVolumes } from "../directory-disks.js";

/** Options for tests and slow pools. */
export interface ZfsStorageOptions {
  /** Timeout of each zfs command in milliseconds; defaults to 30 s. */
  readonly timeoutMs?: number;
}

/** Creates the ZFS driver for `storage.zfs.pool`. */
export function createZfsStorage(deps: BackendDeps, options: ZfsStorageOptions = {}): StorageDriver {
  const context: ZfsContext = {
    runner: deps.runner,
    layout: new ZfsLayout(deps.config.storage.zfs.pool, deps.config.storage.zfs.mountpoint),
    timeoutMs: options.timeoutMs ?? 30_000,
    logger: deps.logger.child({ storage: "zfs" }),
  };
  const { layout } = context;

  return {
    info: () => ({ name: "zfs", quotas: true, cowSnapshots: true }),

    async ensureReady() {
      const action = `Checking the ZFS pool ${layout.pool}`;
      const pool = await runZfs(context.runner, ["list", "-H", "-o", "name", layout.pool], action, context.timeoutMs);
      if (pool.exitCode !== 0 && saysMissing(pool)) {
        throw new HostFailureError(
          `The ZFS pool "${layout.pool}" does not exist; create it (the appliance's disko layout does) or set storage.zfs.pool.`,
          pool.stderr,
        );
      }
      expectZfsSuccess(pool, action);
      await createDataset(context, layout.usersRoot(), layout.mountpoint(layout.usersRoot()));
    },

    async doctor() {
      return doctor(context);
    },

    ensureUser: (userKey, quotaBytes) => ensureUser(context, userKey, quotaBytes),
    userUsage: (userKey) => datasetUsage(context, layout.user(userKey), "user", userKey),
    workspacePath: (userKey, workload) => layout.mountpoint(layout.workspace(userKey, workload)),
    createWorkspace: async (userKey, workload, options) => {
      const created = await createWorkspace(context, userKey, workload);
      if (options?.sizeBytes !== undefined)
        await limitWorkspace(context, layout.workspace(userKey, workload), options.sizeBytes);
      return created;
    },
    ensureWorkspaceMounted: (userKey, workload) => ensureWorkspaceMounted(context, userKey, workload),
    deleteWorkspace: (userKey, workload) => deleteWorkspace(context, userKey, workload),
    resizeWorkspace: async (userKey, workload, sizeBytes) => {
      const dataset = layout.workspace(userKey, workload);
      if (!(await datasetExists(context, dataset)))
        throw new HostFailureError(`The workspace of "${workload}" is missing (${dataset}).`);
      await limitWorkspace(context, dataset, sizeBytes);
    },
    workspaceUsage: (userKey, workload) =>
      datasetUsage(context, layout.workspace(userKey, workload), "workload", workload),
    workspaceExists: (userKey, workload) => datasetExists(context, layout.workspace(userKey, workload)),
    snapshotWorkspace: (userKey, workload, label) => snapshotWorkspace(context, userKey, workload, label),
    restoreWorkspace: async (snapshot, userKey, workload, options) => {
      const restored = await restoreWorkspace(context, snapshot, userKey, workload);
      if (options?.sizeBytes !== undefined)
        await limitWorkspace(context, layout.workspace(userKey, workload), options.sizeBytes);
      return restored;
    },
    deleteSnapshot: (snapshot) => deleteSnapshot(context, snapshot),
    // Datasets clone datasets, not directory trees: a runtime's roots are overlays in `<stateDir>/<runtime>`.
    rootVolumes: (request) =>
      directoryRootVolumes(deps.runner, request.at ?? join(deps.stateDir, checkWorkload(request.runtime))),
    // VM disks are plain files beside them, outside every dataset's quota (why: `directory-disks.ts`).
    diskVolumes: (request) =>
      directoryDiskVolumes(deps.runner, request.at ?? join(deps.stateDir, checkWorkload(request.runtime))),
  };
}

async function doctor(context: ZfsContext): Promise<DoctorCheck[]> {
  const { layout } = context;
  const checks: DoctorCheck[] = [];
  try {
    const version = await runZfs(context.runner, ["version"], "Checking zfs", context.timeoutMs);
    checks.push(
      version.exitCode === 0
        ? { name: "zfs", ok: true, detail: version.stdout.split("\n")[0]?.trim() || "zfs answered." }
        : {
            name: "zfs",
            ok: false,
            detail: version.stderr.trim() || "zfs version failed.",
            fix: 'Load the ZFS kernel module (boot.supportedFilesystems = [ "zfs" ]).',
          },
    );
    for (const [name, dataset, fix] of [
      [
        "zfs pool",
        layout.pool,
        `Create the pool "${layout.pool}" (the appliance's disko layout does) or set storage.zfs.pool.`,
      ],
      [
        "zfs users dataset",
        layout.usersRoot(),
        "Run any voxnix command once (it creates the dataset) or: zfs create -o mountpoint=" +
          layout.mountpoint(layout.usersRoot()) +
          " " +
          layout.usersRoot(),
      ],
    ] as const) {
      const exists = await datasetExists(context, dataset);
      checks.push(
        exists
          ? { name, ok: true, detail: `${dataset} exists.` }
          : { name, ok: false, detail: `${dataset} does not exist.`, fix },
      );
    }
  } catch (error) {
    checks.push({
      name: "zfs",
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
      fix: "Install ZFS and put zfs on the service PATH.",
    });
  }
  return checks;
}
