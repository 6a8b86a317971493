/**
 * The live workload list for the dashboard's event stream, pushed instead of polled per tab.
 * One watcher per core serves every open stream: it re-reads the list when something changed
 * and sends each subscriber only what it may see, and only when its view changed.
 *
 * What counts as "something changed":
 * - an operation that changes things finished in this process (`ChangeFeed`, notified by
 *   `run-operation`): start, stop, a job's end, a deny…, pushed within milliseconds;
 * - another process (the CLI, a second service) committed to the database: SQLite's
 *   `PRAGMA data_version`, checked every second (a cheap read, no host call);
 * - the host changed by itself (a container shut down from inside): the host is asked once
 *   every `pollMs` (default 15 s) while anyone watches, one batch call for all subscribers.
 *
 * These re-reads are not audited: the stream is audited once when it is opened (`watch`),
 * like a `tail -f` is one read, not one per line (docs/web.md). A subscriber whose access
 * ended (denied) is ended.
 *
 * The watcher's repeating timers never keep the process alive (they are unref'd): an open
 * stream lives as long as the server that carries it. On shutdown `endAll` ends every stream, so the HTTP
 * server can finish those responses cleanly instead of cutting them after its grace period.
 *
 * @module
 */
import type { ListResult } from "./api.js";
import type { CoreContext } from "./context.js";
import { listLive } from "./live.js";
import { visibleList } from "./views.js";
import { idleNotice } from "./idle-timers.js";
import type { ImportedVmRecord } from "../state/imported-vms-repository.js";
import type { LiveContainer } from "../ports/runtime.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { UserId } from "../domain/identity.js";

/** How often the host is asked for live state while someone watches, by default. */
export const DEFAULT_WATCH_POLL_MS = 15_000;
/** How often the database is checked for other processes' changes. */
const DATABASE_CHECK_MS = 1_000;
/** Changes that arrive together are read once. */
const COALESCE_MS = 25;

/** Operations that changed something in this process; the watcher listens. */
export class ChangeFeed {
  private readonly listeners = new Set<() => void>();
  notify(): void {
    for (const listener of this.listeners) listener();
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** Why a subscription ended on the watcher's side: the subscriber lost access, or the process is stopping. */
export type WatchEnd = "access-ended" | "closed";

interface Subscriber {
  readonly userId: UserId;
  readonly pollMs: number;
  last: string;
  readonly onChange: (result: ListResult) => void;
  readonly onEnd: (reason: WatchEnd) => void;
}

/** Serves every live list subscription of one core. */
export class WorkloadWatcher {
  private readonly subscribers = new Set<Subscriber>();
  private unsubscribeChanges: (() => void) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private databaseTimer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private dataVersion = 0;
  private pollMs = DEFAULT_WATCH_POLL_MS;
  /** Host list calls made for subscribers (for tests and benchmarks). */
  hostReads = 0;

  constructor(
    private readonly context: CoreContext,
    private readonly changes: ChangeFeed,
  ) {}

  /** Adds a subscriber that has already been sent `initial`; returns a function that removes it. */
  subscribe(
    userId: UserId,
    initial: ListResult,
    pollMs: number,
    onChange: (result: ListResult) => void,
    onEnd: (reason: WatchEnd) => void,
  ): () => void {
    const subscriber: Subscriber = { userId, pollMs, last: JSON.stringify(initial), onChange, onEnd };
    this.subscribers.add(subscriber);
    if (this.subscribers.size === 1) this.start();
    this.resetPoll();
    return () => {
      if (!this.subscribers.delete(subscriber)) return;
      if (this.subscribers.size === 0) this.stop();
      else this.resetPoll();
    };
  }

  /** Open subscriptions. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Ends every subscription (`closed`) and stops the timers: the process is stopping. */
  endAll(): void {
    const ending = [...this.subscribers];
    this.subscribers.clear();
    this.stop();
    for (const subscriber of ending) subscriber.onEnd("closed");
  }

  private start(): void {
    this.dataVersion = this.readDataVersion();
    this.unsubscribeChanges = this.changes.subscribe(() => this.schedule());
    this.databaseTimer = setInterval(() => {
      const version = this.readDataVersion();
      if (version !== this.dataVersion) this.schedule();
    }, DATABASE_CHECK_MS);
    this.databaseTimer.unref();
  }

  private stop(): void {
    this.unsubscribeChanges?.();
    this.unsubscribeChanges = undefined;
    for (const timer of [this.pollTimer, this.databaseTimer, this.pending]) if (timer) clearTimeout(timer);
    this.pollTimer = this.databaseTimer = this.pending = undefined;
  }

  private resetPoll(): void {
    const wanted = Math.min(...[...this.subscribers].map((subscriber) => subscriber.pollMs));
    if (this.pollTimer && wanted === this.pollMs) return;
    this.pollMs = wanted;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => this.schedule(), this.pollMs);
    this.pollTimer.unref();
  }

  private readDataVersion(): number {
    try {
      return this.context.deps.db.sqlite.pragma("data_version", { simple: true }) as number;
    } catch {
      return this.dataVersion;
    }
  }

  private schedule(): void {
    if (this.pending || this.subscribers.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.refresh();
    }, COALESCE_MS);
  }

  private async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.read().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
    await this.running;
  }

  private async read(): Promise<void> {
    const { repos, deps } = this.context;
    this.dataVersion = this.readDataVersion();
    let records: readonly WorkloadRecord[];
    let live: Map<string, LiveContainer>;
    let assigned: readonly ImportedVmRecord[];
    try {
      records = repos.workloads.listAll();
      assigned = repos.importedVms.listAll();
      this.hostReads += 1;
      live = await listLive(deps.runtimes);
    } catch (error) {
      // The host did not answer: keep every stream as it is and try again at the next change or poll.
      deps.logger.warn({ err: error }, "could not read the workload list for the live view");
      return;
    }
    for (const subscriber of [...this.subscribers]) {
      const user = repos.users.get(subscriber.userId);
      if (!user || user.status !== "active") {
        this.subscribers.delete(subscriber);
        subscriber.onEnd("access-ended");
        continue;
      }
      const result = visibleList(user, records, live, (record) => idleNotice(this.context, record), assigned);
      const text = JSON.stringify(result);
      if (text === subscriber.last) continue;
      subscriber.last = text;
      subscriber.onChange(result);
    }
    if (this.subscribers.size === 0) this.stop();
  }
}
