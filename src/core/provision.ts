/**
 * Bringing a recorded workload to life on the host, shared by create and restore: the user's
 * storage area, the workspace (new or restored from a snapshot), the remote-access key file,
 * then the backend. Every step registers its undo; on failure everything done is undone and
 * the error says what, if anything, had to be kept.
 *
 * @module
 */
import { userStorageKey, type User } from "../domain/identity.js";
import type { WorkloadSpec } from "../domain/spec.js";
import type { HostContext } from "../ports/runtime.js";
import type { WorkloadView } from "./api.js";
import type { CoreContext } from "./context.js";
import { toVoxnixError, withKeptNote } from "./errors.js";
import type { JobContext } from "./jobs.js";
import { Reverter } from "../domain/reverter.js";
import { toWorkloadView } from "./views.js";
import { runtimeForKind } from "./runtime-registry.js";

/** Where the workspace comes from. */
export type WorkspaceSource = { readonly kind: "new" } | { readonly kind: "snapshot"; readonly ref: string };

/** Provisions `spec` for `owner`; the workload row must already exist with status `creating`. */
export async function provisionWorkload(
  context: CoreContext,
  owner: User,
  spec: WorkloadSpec,
  source: WorkspaceSource,
  job: JobContext,
  /** A restore of a VM whose root disk its runtime kept: that disk's reference. */
  rootDiskRef?: string,
): Promise<WorkloadView> {
  const { deps, repos } = context;
  const runtime = runtimeForKind(deps.runtimes, spec.kind);
  const userKey = userStorageKey(owner.id);
  const reverter = new Reverter();
  // The row is undone last, so a failed rollback still leaves it for reconcile to find.
  reverter.add(`the record of "${spec.name}"`, () => repos.workloads.delete(spec.name));
  try {
    job.progress({ type: "step", step: "preparing", message: `Preparing storage for ${spec.name}` });
    // Idempotent and cheap once done; makes a fresh host's pool usable before the first workspace.
    await deps.storage.ensureReady();
    await deps.storage.ensureUser(userKey, owner.limits.diskQuotaBytes);
    let workspaceHostPath: string | undefined;
    const workspaceOptions =
      spec.workspace.enabled && spec.workspace.sizeBytes !== undefined ? { sizeBytes: spec.workspace.sizeBytes } : {};
    // The root is counted in the owner's quota too, not only the workspace.
    const quotaGroup = await deps.storage.quotaGroup?.(userKey);
    if (spec.workspace.enabled) {
      reverter.add(`the workspace of "${spec.name}"`, () => deps.storage.deleteWorkspace(userKey, spec.name));
      workspaceHostPath =
        source.kind === "new"
          ? (await deps.storage.createWorkspace(userKey, spec.name, workspaceOptions)).hostPath
          : (await deps.storage.restoreWorkspace({ ref: source.ref }, userKey, spec.name, workspaceOptions)).hostPath;
    }
    let remoteAccessKeyFile: string | undefined;
    if (spec.remoteAccess && deps.remoteAccess) {
      const provider = deps.remoteAccess;
      reverter.add(`the remote-access key file of "${spec.name}"`, () => provider.removeKeyFile(spec.name));
      remoteAccessKeyFile = (await provider.prepareKeyFile(spec.name)).path;
    }
    const host: HostContext = {
      ownerLabel: owner.id,
      ...(quotaGroup === undefined ? {} : { quotaGroup }),
      ...(workspaceHostPath === undefined ? {} : { workspaceHostPath }),
      ...(remoteAccessKeyFile === undefined ? {} : { remoteAccessKeyFile }),
      ...(rootDiskRef === undefined ? {} : { rootDiskRef }),
      onProgress: job.progress,
    };
    // Registered before the call: a create that fails half-way may have left host state behind.
    reverter.add(`the container "${spec.name}"`, () => runtime.destroy(spec.name, { onProgress: () => undefined }));
    await runtime.create(spec, host);
    repos.workloads.update(spec.name, { status: "ready", desired: "running" }, deps.clock.now());
    // A new (or restored) workload starts its first idle period now.
    repos.idleTimers.recordActivity(spec.name, "create", deps.clock.now());
    reverter.success();
    job.progress({ type: "step", step: "done", message: `${spec.name} is ready` });
    const live = await runtime.show(spec.name).catch(() => undefined);
    return toWorkloadView(repos.workloads.get(spec.name)!, live);
  } catch (error) {
    const failure = toVoxnixError(error);
    const kept = await reverter.revert();
    if (kept.length > 0)
      deps.logger.error({ workload: spec.name, kept }, "Rolling back a failed create left things behind");
    throw withKeptNote(failure, kept);
  }
}
