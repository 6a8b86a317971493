/**
 * `storage`: the actor's space: total usage against the quota, per-workspace usage and the
 * snapshots kept by destroys that can still be restored.
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { StorageReport } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toSnapshotView } from "../views.js";

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
      return {
        user: user.id,
        driver: info.name,
        quotasEnforced: info.quotas,
        usage,
        workspaces: records.map((record, index) => ({ workload: record.name, usage: workspaceUsages[index]! })),
        snapshots: context.repos.snapshots.keptByOwner(user.id, clock.now()).map(toSnapshotView),
      };
    },
  });
}
