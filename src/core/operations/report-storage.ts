/**
 * `storage`: the actor's space: total usage against the quota, per-workspace usage, VM root
 * disks, and the snapshots kept by destroys that can still be restored (with the root disks of
 * destroyed VMs, which count in the usage until they are restored or pruned).
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { StorageReport } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toSnapshotView } from "../views.js";
import { keptDiskWords } from "../snapshots.js";
import type { CoreContext } from "../context.js";
import type { UserId } from "../../domain/identity.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** The owner's VM root disks: allocation asked of each VM's runtime in one call per runtime, declared size from the spec. */
async function vmRootDisks(context: CoreContext, owner: UserId): Promise<StorageReport["rootDisks"]> {
  const vms = context.repos.workloads.listByOwner(owner).filter((record) => record.spec.kind === "vm");
  const byRuntime = new Map<string, typeof vms>();
  for (const record of vms) byRuntime.set(record.backend, [...(byRuntime.get(record.backend) ?? []), record]);
  const allocated = new Map<string, number>();
  for (const records of byRuntime.values()) {
    const runtime = (() => {
      try {
        return runtimeForWorkload(context.deps.runtimes, records[0]!);
      } catch {
        return undefined;
      }
    })();
    const usage = await runtime?.rootDiskUsage?.(records.map((record) => record.spec.name)).catch((error: unknown) => {
      context.deps.logger.warn({ err: error }, "Could not read VM root disk usage");
      return undefined;
    });
    for (const [name, bytes] of usage ?? []) allocated.set(name, bytes);
  }
  return vms.map((record) => ({
    workload: record.name,
    allocatedBytes: allocated.get(record.name) ?? 0,
    sizeBytes: (record.spec as VmSpec).diskBytes,
  }));
}

/** Reports the actor's storage. */
export function reportStorage(services: CoreServices, actor: Actor): Promise<StorageReport> {
  const { context } = services;
  return runOperation(services, {
    operation: "storage",
    actor,
    validate: () => undefined,
    run: async ({ user }) => {
      const { storage, clock } = context.deps;
      const userKey = userStorageKey(user.id);
      const records = context.repos.workloads.listByOwner(user.id).filter((record) => record.spec.workspace.enabled);
      const [usage, ...workspaceUsages] = await Promise.all([
        storage.userUsage(userKey),
        ...records.map((record) => storage.workspaceUsage(userKey, record.name)),
      ]);
      const info = storage.info();
      const rootDisks = await vmRootDisks(context, user.id);
      const snapshots = context.repos.snapshots.keptByOwner(user.id, clock.now());
      // Root disks of destroyed VMs kept for undo hold what they hold until restored or pruned.
      const kept = snapshots.reduce((sum, snapshot) => sum + (snapshot.rootDisk?.bytes ?? 0), 0);
      const allocated = rootDisks.reduce((sum, disk) => sum + disk.allocatedBytes, 0) + kept;
      // What is left for new things is what create admits against: root disks are held at their declared size.
      const held = rootDisks.reduce((sum, disk) => sum + disk.sizeBytes, 0) + kept;
      return {
        user: user.id,
        driver: info.name,
        quotasEnforced: info.quotas,
        // VM root disks live outside the driver's area; they count in what the person uses.
        usage:
          rootDisks.length === 0 && kept === 0
            ? usage
            : {
                ...usage,
                usedBytes: usage.usedBytes + allocated,
                availableBytes: usage.availableBytes === null ? null : Math.max(0, usage.availableBytes - held),
              },
        workspaces: records.map((record, index) => ({ workload: record.name, usage: workspaceUsages[index]! })),
        rootDisks,
        snapshots: snapshots.map((snapshot) =>
          toSnapshotView(
            snapshot,
            snapshot.rootDisk === undefined
              ? undefined
              : keptDiskWords(context.deps.runtimes, snapshot.rootDisk.runtime),
          ),
        ),
      };
    },
  });
}
