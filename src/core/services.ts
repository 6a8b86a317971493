/**
 * The services every operation file receives: the context plus this instance's locks, job
 * runner and start-up recovery promise.
 *
 * @module
 */
import type { CoreContext } from "./context.js";
import type { ActivityRecorder } from "./idle-timers.js";
import type { JobRunner } from "./jobs.js";
import type { WorkloadLocks } from "./locks.js";
import type { StartupRecoveryResult } from "./reconcile.js";
import type { ShellRegistry } from "./shells.js";
import type { ChangeFeed, WorkloadWatcher } from "./watch.js";

/** Shared by all operations of one core instance. */
export interface CoreServices {
  readonly context: CoreContext;
  readonly locks: WorkloadLocks;
  readonly jobs: JobRunner;
  /** Notes activity on workloads for their inactivity timers. */
  readonly activity: ActivityRecorder;
  /** Operations that changed something tell the live view (`watch`). */
  readonly changes: ChangeFeed;
  /** Serves every live list subscription. */
  readonly watcher: WorkloadWatcher;
  /** Browser-terminal shells, kept for reattach within their grace window. */
  readonly shells: ShellRegistry;
  /** Settles once start-up recovery has finished; operations wait for it. */
  ready: Promise<void>;
  /** What start-up recovery did, once it has finished (reported by `reconcile`). */
  startup?: StartupRecoveryResult;
}
