/**
 * Jobs: long operations (create, destroy, restore) that run in the background, persist their
 * state and pid, and emit `job-start`, progress and `job-end` events. A job keeps running
 * when nobody listens; `wait` settles with its result or its `VoxnixError`.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { UserId } from "../domain/identity.js";
import type { ProgressListener } from "../ports/runtime.js";
import type { JobEvent, JobKind, JobOf, JobResults } from "./api.js";
import type { CoreContext } from "./context.js";
import { toVoxnixError } from "./errors.js";
import { toJobView } from "./views.js";

/** What a job's work receives. */
export interface JobContext {
  readonly id: string;
  /** Forwards progress to listeners and records the latest step. */
  readonly progress: ProgressListener;
}

/** Describes a job to start. */
export interface JobRequest<K extends JobKind> {
  readonly kind: K;
  readonly workload: string;
  readonly owner: UserId;
  readonly work: (job: JobContext) => Promise<JobResults[K]>;
  /** Called once the job's state is recorded, before `job-end` is emitted (releases locks, writes the audit). */
  readonly onSettled?: (jobId: string, error?: unknown) => void;
}

/** Starts jobs and tracks the ones running in this process. */
export class JobRunner {
  readonly #context: CoreContext;
  readonly #active = new Map<string, Promise<unknown>>();

  constructor(context: CoreContext) {
    this.#context = context;
  }

  /** Records the job and starts its work after the caller has had a chance to subscribe. */
  start<K extends JobKind>(request: JobRequest<K>): JobOf<K> {
    const { repos, deps, pid, instanceId } = this.#context;
    const id = randomUUID();
    repos.jobs.insert({
      id,
      kind: request.kind,
      workload: request.workload,
      owner: request.owner,
      pid,
      holder: instanceId,
      startedAt: deps.clock.now(),
    });
    const listeners = new Set<(event: JobEvent) => void>();
    const emit = (event: JobEvent): void => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          deps.logger.warn({ err: error, jobId: id }, "A job listener threw; ignoring it");
        }
      }
    };
    const progress: ProgressListener = (event) => {
      if (event.type === "step") repos.jobs.setProgress(id, event.message);
      emit({ ...event, jobId: id });
    };
    const view = () => toJobView(repos.jobs.get(id)!);
    const settle = (job: JobRequest<K>, jobId: string, error?: unknown): void => {
      try {
        job.onSettled?.(jobId, error);
      } catch (settleError) {
        deps.logger.error({ err: settleError, jobId }, "Settling a job failed");
      }
    };

    const result = new Promise<JobResults[K]>((resolve, reject) => {
      // setImmediate runs after the caller's pending microtasks, so `onEvent` right after
      // receiving the handle still sees `job-start`.
      setImmediate(() => {
        emit({ type: "job-start", job: view() });
        request.work({ id, progress }).then(
          (value) => {
            repos.jobs.setProgress(id, "done");
            repos.jobs.finish(id, "succeeded", deps.clock.now());
            settle(request, id);
            emit({ type: "job-end", job: view() });
            resolve(value);
          },
          (error: unknown) => {
            const failure = toVoxnixError(error);
            repos.jobs.finish(id, "failed", deps.clock.now(), { kind: failure.kind, message: failure.message });
            deps.logger.warn({ jobId: id, kind: request.kind, workload: request.workload, err: failure }, "Job failed");
            settle(request, id, failure);
            emit({ type: "job-end", job: view() });
            reject(failure);
          },
        );
      });
    });
    // A job nobody waits for must not become an unhandled rejection.
    result.catch(() => undefined);
    this.#active.set(id, result);
    void result.finally(() => this.#active.delete(id)).catch(() => undefined);
    return {
      id,
      kind: request.kind,
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      wait: () => result,
    };
  }

  /** Waits until every job started by this process has settled (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()]);
  }
}
