/**
 * Jobs the core starts (create, destroy, change, restore, image builds): their persisted view,
 * their events, and what each kind resolves with, so callers narrow on `kind` instead of
 * guessing from a result's shape.
 *
 * @module
 */
import type { UserId } from "../../domain/identity.js";
import type { WorkloadKind } from "../../domain/spec.js";
import type { ChangePlan, Done, NeedsConfirmation } from "../../api/outcome.js";
import type { FieldChange } from "../../domain/change.js";
import type { VoxnixErrorKind } from "../../domain/errors.js";
import type { ProgressEvent } from "../../ports/runtime.js";
import type { SnapshotView, WorkloadView } from "./workloads.js";

/** What each kind of job resolves with; `JobKind` is its keys, so a new kind must say. */
export interface JobResults {
  readonly create: WorkloadView;
  readonly restore: WorkloadView;
  readonly destroy: DestroyResult;
  readonly change: ChangeResult;
}

export type JobKind = keyof JobResults;

export type JobState = "running" | "succeeded" | "failed" | "interrupted";

/** A job's persisted state; any adapter (or a later process) can query it. */
export interface JobView {
  readonly id: string;
  readonly kind: JobKind;
  readonly workload: string;
  readonly owner: UserId;
  readonly state: JobState;
  /** The latest progress step message. */
  readonly progress: string;
  readonly error?: { readonly kind: VoxnixErrorKind; readonly message: string };
  readonly startedAt: Date;
  readonly endedAt?: Date;
}

/** Events a job emits; the last is always `job-end`. Noun-action names. */
export type JobEvent =
  | { readonly type: "job-start"; readonly job: JobView }
  | (ProgressEvent & { readonly jobId: string })
  | { readonly type: "job-end"; readonly job: JobView };

/**
 * A running (or finished) long operation. The job keeps running if the caller stops
 * listening; `wait` resolves with the result or rejects with the job's `VoxnixError`.
 */
export interface JobHandle<T> {
  readonly id: string;
  readonly kind: JobKind;
  /** Subscribe to events; replays nothing, so subscribe right after receiving the handle. Returns an unsubscribe function. */
  onEvent(listener: (event: JobEvent) => void): () => void;
  wait(): Promise<T>;
}

/** Any job, its result type following its kind: narrow on `kind` instead of guessing from the result's shape. */
export type AnyJobHandle = { [K in JobKind]: JobOf<K> }[JobKind];

/** The handle of a job of kind `K`. */
export type JobOf<K extends JobKind> = JobHandle<JobResults[K]> & { readonly kind: K };

/**
 * A create job's handle plus the kind of workload it makes, decided before the job starts: a
 * request that named no kind gets the user's default (`vm` for some users), and replies such
 * as "Creating the VM lab" need to know which without waiting for the job.
 */
export type CreateJob = JobOf<"create"> & { readonly workloadKind: WorkloadKind };

/** A finished job's result, tagged with its kind. */
export type JobResult = { [K in JobKind]: { readonly kind: K; readonly value: JobResults[K] } }[JobKind];

/** What a finished change job answers: the workload with its new settings. */
export interface ChangeResult {
  readonly operation: "change";
  readonly workload: string;
  /** Every field before → after. */
  readonly changes: readonly FieldChange[];
  readonly restarted: boolean;
  readonly view: WorkloadView;
  readonly warnings: readonly string[];
  /** A change keeps no snapshot (it never touches the workspace); present so confirm's results read alike. */
  readonly snapshot?: undefined;
}

/** What `confirm` answers: the job of the confirmed destroy or change. */
export type ConfirmedResult = DestroyResult | ChangeResult;

/** The job a confirmation starts: a destroy's or a change's (narrow on `kind`). */
export type ConfirmedJob = JobOf<"destroy"> | JobOf<"change">;

/** True for a change job's result. */
export function isChangeResult(result: unknown): result is ChangeResult {
  return (result as { operation?: unknown } | null)?.operation === "change";
}

/** A change that needs no confirmation has started: its plan and its job. */
export interface ChangeStarted {
  readonly type: "job";
  readonly plan: ChangePlan;
  readonly job: JobOf<"change">;
}

/**
 * What `change` answers: `done` with the plan when there is nothing to change, a started job,
 * or (for a restart or a removed module) a confirmation to give with `confirm`.
 */
export type ChangeOutcome = Done<ChangePlan> | ChangeStarted | NeedsConfirmation;

export interface DestroyResult {
  readonly workload: string;
  /** The workspace snapshot, when there was a workspace. */
  readonly snapshot?: SnapshotView;
  /** Non-fatal problems (a failed logout, storage cleanup that failed and what remains). */
  readonly warnings: readonly string[];
}
