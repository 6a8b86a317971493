/**
 * Snapshots around destroy and restore: taking one (recorded with the spec and the undo
 * window), pruning the ones whose window has passed (the workspace snapshot in the storage
 * driver, a VM's root disk in the runtime that kept it), and what kept root disks hold
 * against their owner's quota.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { userStorageKey, type UserId } from "../domain/identity.js";
import type { SnapshotRecord } from "../state/snapshots-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { CoreContext } from "./context.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";

/** What `runtime` keeps of a destroyed VM for the undo window, in words ("its root disk" when it does not say). */
export function keptDiskWords(registry: RuntimeRegistry, runtime: string): string {
  return keptDiskOf(registry, runtime).words;
}

/** What `runtime` keeps of a destroyed VM for the undo window (a root disk when it does not say). */
export function keptDiskOf(
  registry: RuntimeRegistry,
  runtime: string,
): { readonly words: string; readonly holdsWorkspace: boolean } {
  return registry.byName(runtime)?.info().keptDisk ?? { words: "its root disk", holdsWorkspace: false };
}

/**
 * Snapshots the workload's workspace (when it has one that exists) and records it, restorable
 * until now + the undo window. A workload without a workspace still gets a record, so its
 * settings can be restored. Reuses the snapshot a previous attempt of the same job took.
 */
export async function snapshotForDestroy(
  context: CoreContext,
  record: WorkloadRecord,
  jobId: string,
): Promise<SnapshotRecord> {
  const { deps, repos } = context;
  const previous = repos.snapshots.byJob(jobId);
  if (previous) return previous;
  const id = randomUUID();
  const userKey = userStorageKey(record.owner);
  let storageRef: string | undefined;
  if (record.spec.workspace.enabled && (await deps.storage.workspaceExists(userKey, record.name))) {
    storageRef = (await deps.storage.snapshotWorkspace(userKey, record.name, `destroy-${id.slice(0, 8)}`)).ref;
  }
  const now = deps.clock.now();
  const snapshot: SnapshotRecord = {
    id,
    owner: record.owner,
    workload: record.name,
    ...(storageRef === undefined ? {} : { storageRef }),
    spec: record.spec,
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.policy.undoWindowMs),
    state: "kept",
    jobId,
  };
  repos.snapshots.insert(snapshot);
  return snapshot;
}

/** Deletes expired kept snapshots from storage and marks them pruned; returns how many. Failures are logged and retried later. */
export async function pruneExpiredSnapshots(context: CoreContext): Promise<number> {
  const { deps, repos } = context;
  let pruned = 0;
  for (const snapshot of repos.snapshots.expired(deps.clock.now())) {
    try {
      if (snapshot.storageRef !== undefined) await deps.storage.deleteSnapshot({ ref: snapshot.storageRef });
      await discardKeptRootDisk(context, snapshot);
      repos.snapshots.setState(snapshot.id, "pruned");
      pruned += 1;
    } catch (error) {
      deps.logger.warn({ err: error, snapshot: snapshot.id }, "Could not prune an expired snapshot; will retry");
    }
  }
  return pruned;
}

/**
 * Deletes the root disk a VM runtime kept for `snapshot`, if any. A runtime no longer
 * configured cannot be asked: that is an error, so the snapshot stays kept and is retried.
 */
export async function discardKeptRootDisk(context: CoreContext, snapshot: SnapshotRecord): Promise<void> {
  if (snapshot.rootDisk === undefined) return;
  const runtime = context.deps.runtimes.byName(snapshot.rootDisk.runtime);
  if (runtime?.discardRootDisk === undefined)
    throw new Error(
      `The ${snapshot.rootDisk.runtime} runtime that kept the root disk of "${snapshot.workload}" is not configured.`,
    );
  await runtime.discardRootDisk(snapshot.rootDisk.ref);
}

/**
 * Bytes the root disks kept by `owner`'s destroyed VMs hold against their quota until they
 * are restored or pruned (other than `except`'s, which a restore of that name takes back).
 */
export function keptRootDisksHeld(context: CoreContext, owner: UserId, except?: string): number {
  return context.repos.snapshots
    .keptByOwner(owner, context.deps.clock.now())
    .filter((snapshot) => snapshot.workload !== except)
    .reduce((sum, snapshot) => sum + (snapshot.rootDisk?.bytes ?? 0), 0);
}
