/**
 * Job events for Server-Sent Events: the jobs this HTTP server started are followed from
 * their first event, and their events are kept (bounded) until a minute after `job-end`, so
 * a client that opens `/jobs/:id/events` right after `POST /workloads` misses nothing. Jobs
 * started elsewhere (the CLI, Telegram) are followed by polling their persisted state.
 *
 * @module
 */
import type { JobEvent, JobHandle } from "../../core/api.js";

const MAX_KEPT_EVENTS = 500;
const KEEP_AFTER_END_MS = 60_000;

interface FollowedJob {
  readonly events: JobEvent[];
  readonly listeners: Set<(event: JobEvent) => void>;
  ended: boolean;
}

/** The jobs this server started, with their events so far. */
export class JobEvents {
  readonly #jobs = new Map<string, FollowedJob>();

  /** Starts following a job this server started (call right after receiving the handle). */
  follow(handle: JobHandle<unknown>): void {
    const job: FollowedJob = { events: [], listeners: new Set(), ended: false };
    this.#jobs.set(handle.id, job);
    handle.onEvent((event) => {
      if (job.events.length < MAX_KEPT_EVENTS || event.type === "job-end") job.events.push(event);
      for (const listener of job.listeners) listener(event);
      if (event.type === "job-end") {
        job.ended = true;
        job.listeners.clear();
        setTimeout(() => this.#jobs.delete(handle.id), KEEP_AFTER_END_MS).unref();
      }
    });
  }

  /**
   * Replays the job's events so far to `listener` and passes on later ones; returns an
   * unsubscribe function, or undefined when this server does not follow the job.
   */
  subscribe(id: string, listener: (event: JobEvent) => void): (() => void) | undefined {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    for (const event of job.events) listener(event);
    if (job.ended) return () => undefined;
    job.listeners.add(listener);
    return () => void job.listeners.delete(listener);
  }
}
