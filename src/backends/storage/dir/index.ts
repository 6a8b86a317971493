/**
 * The `dir` storage driver: plain directories where btrfs (or zfs) is not available.
 * It enforces no quotas (`info().quotas` is false and `voxnix doctor` says so), and
 * snapshots are full copies (`cp -a`), so they cost as much space as the workspace.
 *
 * Layout under the root (`storage.dir.root`, default `<stateDir>/storage-dir`):
 *   users/<userKey>/<workload>              workspaces
 *   snapshots/<userKey>/<workload>@<label>  copies kept by destroy
 *
 * A runtime's root-volume area is `<stateDir>/<runtime>` (overlay roots, `directory-roots.ts`), and so
 * is its disk-volume area (plain disk files, `directory-disks.ts`): no quota sees either.
 *
 * @module
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ConflictError, HostFailureError, NotFoundError } from "../../../domain/errors.js";
import type { Usage, StorageDriver } from "../../../ports/storage-driver.js";
import type { BackendDeps } from "../../deps.js";
import { checkSegment, parseSnapshotRef, snapshotRef } from "../btrfs/paths.js";
import { runChecked } from "../../../host/commands.js";
import { directoryRootVolumes } from "../directory-roots.js";
import { directoryDiskVolumes } from "../directory-disks.js";

/** Where the dir driver keeps its files. */
export function dirStorageRoot(deps: Pick<BackendDeps, "config" | "stateDir">): string {
  return deps.config.storage.dir.root ?? path.join(deps.stateDir, "storage-dir");
}

/** Sums the apparent size of the files below `target` without following links. */
export function directorySize(target: string): number {
  let total = 0;
  const pending = [target];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else {
        try {
          total += lstatSync(full).size;
        } catch {
          // vanished while counting
        }
      }
    }
  }
  return total;
}

const unlimited = (usedBytes: number): Usage => ({ usedBytes, quotaBytes: null, availableBytes: null });

/** Creates the dir storage driver. */
export function createDirStorage(deps: BackendDeps): StorageDriver {
  const root = dirStorageRoot(deps);
  const users = path.join(root, "users");
  const snapshots = path.join(root, "snapshots");
  const userPath = (userKey: string) => path.join(users, checkSegment("user key", userKey));
  const workspacePath = (userKey: string, workload: string) =>
    path.join(userPath(userKey), checkSegment("workload", workload));
  const snapshotPath = (ref: string) => {
    const { userKey, workload, label } = parseSnapshotRef(ref);
    return path.join(snapshots, userKey, `${workload}@${label}`);
  };
  const ensureReady = async () => {
    mkdirSync(users, { recursive: true });
    mkdirSync(snapshots, { recursive: true });
  };

  return {
    info: () => ({ name: "dir", quotas: false, cowSnapshots: false }),
    ensureReady,
    async doctor() {
      return [
        {
          name: "dir storage",
          ok: true,
          detail: `Plain directories under ${root}. Disk quotas are NOT enforced and snapshots are full copies.`,
          fix: "For enforced per-user quotas use storage.driver: btrfs (run `voxnix setup`).",
        },
      ];
    },
    async ensureUser(userKey) {
      await ensureReady();
      mkdirSync(userPath(userKey), { recursive: true });
    },
    async userUsage(userKey) {
      return unlimited(existsSync(userPath(userKey)) ? directorySize(userPath(userKey)) : 0);
    },
    workspacePath,
    async createWorkspace(userKey, workload) {
      await ensureReady();
      const hostPath = workspacePath(userKey, workload);
      mkdirSync(hostPath, { recursive: true });
      return { hostPath };
    },
    async ensureWorkspaceMounted(userKey, workload) {
      const hostPath = workspacePath(userKey, workload);
      if (!existsSync(hostPath)) throw new HostFailureError(`The workspace of "${workload}" is missing (${hostPath}).`);
      return { hostPath };
    },
    async deleteWorkspace(userKey, workload) {
      rmSync(workspacePath(userKey, workload), { recursive: true, force: true });
    },
    async workspaceUsage(userKey, workload) {
      const hostPath = workspacePath(userKey, workload);
      return unlimited(existsSync(hostPath) ? directorySize(hostPath) : 0);
    },
    async workspaceExists(userKey, workload) {
      return existsSync(workspacePath(userKey, workload));
    },
    async snapshotWorkspace(userKey, workload, label) {
      const ref = snapshotRef(userKey, workload, label);
      const target = snapshotPath(ref);
      if (existsSync(target)) return { ref };
      const source = workspacePath(userKey, workload);
      if (!existsSync(source))
        throw new NotFoundError(
          "workload",
          workload,
          `The workspace of "${workload}" does not exist, so it cannot be snapshotted.`,
        );
      mkdirSync(path.dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      rmSync(partial, { recursive: true, force: true });
      await runChecked(deps.runner, "cp", ["-a", "--", source, partial], {
        what: "copy the workspace",
        timeoutMs: 30 * 60_000,
      });
      await runChecked(deps.runner, "mv", ["--", partial, target], { what: "finish the snapshot" });
      return { ref };
    },
    async restoreWorkspace(snapshot, userKey, workload) {
      const source = snapshotPath(snapshot.ref);
      if (!existsSync(source)) throw new NotFoundError("snapshot", snapshot.ref, "That snapshot no longer exists.");
      const hostPath = workspacePath(userKey, workload);
      if (existsSync(hostPath))
        throw new ConflictError("wrong-state", `The workspace of "${workload}" already exists; restore needs it gone.`);
      mkdirSync(path.dirname(hostPath), { recursive: true });
      await runChecked(deps.runner, "cp", ["-a", "--", source, hostPath], {
        what: "restore the workspace",
        timeoutMs: 30 * 60_000,
      });
      return { hostPath };
    },
    async deleteSnapshot(snapshot) {
      rmSync(snapshotPath(snapshot.ref), { recursive: true, force: true });
    },
    // Runtimes keep their areas beside the state they own (`<stateDir>/<runtime>`), as before the area moved into this port.
    rootVolumes: (request) =>
      directoryRootVolumes(
        deps.runner,
        request.at ?? path.join(deps.stateDir, checkSegment("workload", request.runtime)),
      ),
    diskVolumes: (request) =>
      directoryDiskVolumes(
        deps.runner,
        request.at ?? path.join(deps.stateDir, checkSegment("workload", request.runtime)),
      ),
  };
}
