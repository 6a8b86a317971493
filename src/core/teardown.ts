/**
 * Removing a workload from the host, shared by a confirmed destroy and by reconcile when it
 * finishes an interrupted destroy: snapshot, backend destroy (a VM's root disk kept for the
 * undo window), workspace, key file, lease, then the row (the name is free again). Storage and key cleanup failures become warnings.
 *
 * @module
 */
import { userStorageKey } from "../domain/identity.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { DestroyResult } from "./api.js";
import type { CoreContext } from "./context.js";
import type { JobContext } from "./jobs.js";
import { keptDiskWords, snapshotForDestroy } from "./snapshots.js";
import { toSnapshotView } from "./views.js";
import { runtimeForWorkload } from "./runtime-registry.js";

/** Destroys `record`; a failure of the snapshot or the backend leaves the row (status `failed`) for a retry. */
export async function teardownWorkload(
  context: CoreContext,
  record: WorkloadRecord,
  job: JobContext,
): Promise<DestroyResult> {
  const { deps, repos } = context;
  const userKey = userStorageKey(record.owner);
  const warnings: string[] = [];
  try {
    job.progress({ type: "step", step: "snapshotting", message: `Snapshotting the workspace of ${record.name}` });
    const snapshot = await snapshotForDestroy(context, record, job.id);
    job.progress({ type: "step", step: "removing", message: `Removing ${record.name}` });
    const runtime = runtimeForWorkload(deps.runtimes, record);
    // A VM runtime that keeps root disks keeps this one for the undo window, under the
    // snapshot's id, so a restore brings the VM back with its disk (and host key).
    const keepsRootDisk = runtime.discardRootDisk !== undefined;
    const report = await runtime.destroy(record.spec.name, {
      onProgress: job.progress,
      ...(keepsRootDisk ? { keepRootDisk: snapshot.id } : {}),
    });
    warnings.push(...report.warnings);
    let kept = snapshot;
    if (report.keptRootDisk !== undefined) {
      const rootDisk = { runtime: runtime.info().name, ref: report.keptRootDisk.ref, bytes: report.keptRootDisk.bytes };
      repos.snapshots.setRootDisk(snapshot.id, rootDisk);
      kept = { ...snapshot, rootDisk };
    }
    if (record.spec.workspace.enabled) {
      try {
        await deps.storage.deleteWorkspace(userKey, record.name);
      } catch (error) {
        warnings.push(
          `The workspace of "${record.name}" could not be deleted and is still on disk (${message(error)}); an administrator can remove it.`,
        );
      }
    }
    if (record.spec.remoteAccess && deps.remoteAccess) {
      try {
        await deps.remoteAccess.removeKeyFile(record.name);
      } catch (error) {
        warnings.push(`The remote-access key file of "${record.name}" could not be removed (${message(error)}).`);
      }
    }
    repos.workloads.delete(record.name);
    for (const warning of warnings) deps.logger.warn({ workload: record.name }, warning);
    return {
      workload: record.name,
      ...(kept.storageRef === undefined && kept.rootDisk === undefined
        ? {}
        : {
            snapshot: toSnapshotView(
              kept,
              kept.rootDisk === undefined ? undefined : keptDiskWords(deps.runtimes, kept.rootDisk.runtime),
            ),
          }),
      warnings,
    };
  } catch (error) {
    repos.workloads.update(record.name, { status: "failed" }, deps.clock.now());
    throw error;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
