/**
 * Reconcile: make recorded intent and the host agree. Interrupted jobs (running, but their
 * process is gone) are finished or rolled back (a create is undone, a destroy finished, a
 * change put back on the stored spec); recorded workloads the host does not know
 * are reported missing; host containers voxnix does not know are reported unmanaged (to
 * admins); leases a runtime left behind, stale locks and expired snapshots are cleaned up.
 *
 * @module
 */
import { userStorageKey } from "../domain/identity.js";
import type { JobRecord } from "../state/jobs-repository.js";
import type { ReconcileReport } from "./api.js";
import type { CoreContext } from "./context.js";
import { toVoxnixError } from "./errors.js";
import type { JobContext } from "./jobs.js";
import type { WorkloadLocks } from "./locks.js";
import { pruneExpiredSnapshots } from "./snapshots.js";
import { teardownWorkload } from "./teardown.js";
import { runtimeForWorkload } from "./runtime-registry.js";
import { listLive } from "./live.js";
import { recordAudit } from "./audit.js";
import { prepareHost } from "./operations/start-workload.js";

/** One recovered job. */
export interface Recovered {
  readonly workload: string;
  readonly action: string;
}

/** Jobs recorded as running whose process is gone. Only a SQL query and pid checks. */
export function interruptedJobs(context: CoreContext): readonly JobRecord[] {
  return context.repos.jobs.running().filter((job) => !context.isHolderAlive(job.pid, job.holder));
}

/** Finishes or rolls back every interrupted job. */
export async function recoverInterrupted(context: CoreContext, locks: WorkloadLocks): Promise<Recovered[]> {
  const recovered: Recovered[] = [];
  const jobs = interruptedJobs(context);
  if (jobs.length > 0) context.repos.locks.clearStale(context.isHolderAlive);
  for (const job of jobs) {
    let release: (() => void) | undefined;
    try {
      release = locks.acquire(job.workload);
      // Another process may have recovered it while we waited for the lock.
      if (context.repos.jobs.get(job.id)?.state !== "running") continue;
      const action =
        job.kind === "destroy"
          ? await finishDestroy(context, job)
          : job.kind === "change"
            ? await rollBackChange(context, job)
            : await rollBackCreate(context, job);
      context.repos.jobs.finish(job.id, "interrupted", context.deps.clock.now(), {
        kind: "host-failure",
        message: `Interrupted; ${action}.`,
      });
      recovered.push({ workload: job.workload, action });
    } catch (error) {
      const failure = toVoxnixError(error);
      context.deps.logger.error(
        { err: failure, jobId: job.id, workload: job.workload },
        "Could not recover an interrupted job",
      );
      recovered.push({ workload: job.workload, action: `recovery failed: ${failure.message}` });
    } finally {
      release?.();
    }
  }
  return recovered;
}

async function rollBackCreate(context: CoreContext, job: JobRecord): Promise<string> {
  const { deps, repos } = context;
  const record = repos.workloads.get(job.workload);
  if (record && record.owner === job.owner && record.status === "ready") return "it had completed; kept it";
  // Without our row the name is not ours to clean up: a container by that name belongs to someone else.
  if (!record || record.owner !== job.owner) return "nothing of it was recorded any more; left the host alone";
  await runtimeForWorkload(deps.runtimes, record).destroy(job.workload as never, { onProgress: () => undefined });
  await deps.storage.deleteWorkspace(userStorageKey(job.owner), job.workload);
  if (deps.remoteAccess) await deps.remoteAccess.removeKeyFile(job.workload);
  repos.workloads.delete(job.workload);
  return `rolled back the interrupted ${job.kind}`;
}

/**
 * A change interrupted by a crash: the stored spec is the one that was last applied in full
 * (it is written only after success), so the workload is put back on it: the runtime applies
 * the stored spec again (a running workload restarts with it, since nobody knows how far the
 * new one got), its workspace gets its stored size limit again, and a workload its owner
 * wants running is started if the crash left it stopped. Audited as a `change` by the
 * appliance with `recovered: true`.
 */
async function rollBackChange(context: CoreContext, job: JobRecord): Promise<string> {
  const { deps, repos } = context;
  const record = repos.workloads.get(job.workload);
  if (!record || record.owner !== job.owner) return "nothing of it was recorded any more; left the host alone";
  if (record.status !== "ready") return `${record.name} is ${record.status}; left it as it is`;
  const startedAt = deps.clock.now();
  const runtime = runtimeForWorkload(deps.runtimes, record);
  const name = record.name as never;
  const host = await prepareHost(context, record, () => undefined);
  const workspaceSize = record.spec.workspace.enabled ? record.spec.workspace.sizeBytes : undefined;
  if (workspaceSize !== undefined && deps.storage.resizeWorkspace)
    await deps.storage.resizeWorkspace(userStorageKey(record.owner), record.name, workspaceSize);
  let how: string;
  if (runtime.change) {
    const running = (await runtime.show(name))?.state === "running";
    await runtime.change(name, record.spec, { ...host, previous: record.spec, live: false });
    how = running ? "restarted it with its stored settings" : "applied its stored settings";
  } else {
    how = "its runtime cannot apply settings again; left it as it is";
  }
  if (record.desired === "running" && (await runtime.show(name))?.state !== "running") {
    await runtime.start(name, host);
    how += " and started it again";
  }
  recordAudit(context, {
    actor: "local:admin",
    operation: "change",
    target: record.name,
    args: { name: record.name, recovered: true, interruptedJob: job.id },
    durationMs: deps.clock.now().getTime() - startedAt.getTime(),
    startedAt,
    jobId: job.id,
  });
  return `rolled back the interrupted change (${how})`;
}

async function finishDestroy(context: CoreContext, job: JobRecord): Promise<string> {
  const record = context.repos.workloads.get(job.workload);
  if (!record || record.owner !== job.owner) return "it had completed";
  const progress: JobContext = { id: job.id, progress: () => undefined };
  const result = await teardownWorkload(context, record, progress);
  return result.warnings.length > 0
    ? `finished the interrupted destroy (${result.warnings.join(" ")})`
    : "finished the interrupted destroy";
}

/** The full reconcile (admin operation): recovery, one `list()` per runtime, leases, locks, snapshots. */
export async function reconcileAll(context: CoreContext, locks: WorkloadLocks): Promise<ReconcileReport> {
  const { deps, repos } = context;
  const recovered = await recoverInterrupted(context, locks);
  repos.locks.clearStale(context.isHolderAlive);
  const live = [...(await listLive(deps.runtimes)).values()];
  const liveNames = new Set(live.map((container) => container.name));
  const records = repos.workloads.listAll();
  const recorded = new Set(records.map((record) => record.name));
  const missing = records
    .filter((record) => record.status === "ready" && !liveNames.has(record.name))
    .map((record) => record.name);
  const unmanaged = live
    .filter((container) => !recorded.has(container.name))
    .map((container) => ({ name: container.name, state: container.state }));
  releaseOrphanLeases(context);
  repos.confirmations.deleteExpired(deps.clock.now());
  const prunedSnapshots = await pruneExpiredSnapshots(context);
  return { recovered, missing, unmanaged, prunedSnapshots };
}

/** What this process's start-up recovery did; `reconcile` reports it so an admin learns of it. */
export interface StartupRecoveryResult {
  readonly recovered: readonly Recovered[];
  readonly prunedSnapshots: number;
  /** Set when the recovery itself failed (details are in the log). */
  readonly error?: string;
}

/**
 * Leases are the runtime's (it allocates one on boot and releases it on destroy); one left by
 * a destroy or a rollback that failed half-way is freed once its workload is gone.
 */
function releaseOrphanLeases(context: CoreContext): void {
  const { repos } = context;
  const recorded = new Set(repos.workloads.listAll().map((record) => record.name));
  for (const workload of repos.leases.all().keys()) if (!recorded.has(workload)) repos.leases.release(workload);
}

/**
 * The start-up check: SQL queries only, unless a crash left jobs to recover or snapshots
 * expired; then that work runs in the background and operations wait for it. Resolves with
 * what it did (never rejects).
 */
export function startupRecovery(context: CoreContext, locks: WorkloadLocks): Promise<StartupRecoveryResult> {
  const hasInterrupted = interruptedJobs(context).length > 0;
  const hasExpired = context.repos.snapshots.expired(context.deps.clock.now()).length > 0;
  if (!hasInterrupted && !hasExpired) return Promise.resolve({ recovered: [], prunedSnapshots: 0 });
  let recovered: Recovered[] = [];
  let prunedSnapshots = 0;
  return (async (): Promise<StartupRecoveryResult> => {
    if (hasInterrupted) {
      recovered = await recoverInterrupted(context, locks);
      releaseOrphanLeases(context);
      context.deps.logger.info({ recovered }, "Recovered jobs a crash interrupted");
    }
    if (hasExpired) prunedSnapshots = await pruneExpiredSnapshots(context);
    return { recovered, prunedSnapshots };
  })().catch((error: unknown) => {
    context.deps.logger.error({ err: error }, "Start-up recovery failed");
    return { recovered, prunedSnapshots, error: toVoxnixError(error).message };
  });
}
