/**
 * The gateway's counters: new connections per client address per minute (a sliding window),
 * and open sessions per person over all their connections. In memory, per process: they
 * protect this gateway's resources, not a policy that must survive restarts.
 *
 * @module
 */

/** Allows at most `limit` events per `windowMs` per key. */
export class RateWindow {
  readonly #events = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an event for `key` and says whether it is within the limit (refused events are not recorded). */
  take(key: string): boolean {
    const now = this.now();
    const recent = (this.#events.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.#events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#events.set(key, recent);
    // Forget quiet addresses so the map cannot grow without bound.
    if (this.#events.size > 10_000) {
      for (const [other, times] of this.#events)
        if (times.every((at) => now - at >= this.windowMs)) this.#events.delete(other);
    }
    return true;
  }
}

/** Counts open sessions per person; `reserve` before opening one, `release` when it ends. */
export class SessionSlots {
  readonly #open = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** Takes a slot for `user`, or returns undefined when they are at the limit. The returned function frees it (once). */
  reserve(user: string): (() => void) | undefined {
    const open = this.#open.get(user) ?? 0;
    if (open >= this.max) return undefined;
    this.#open.set(user, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#open.get(user) ?? 1) - 1;
      if (now <= 0) this.#open.delete(user);
      else this.#open.set(user, now);
    };
  }

  count(user: string): number {
    return this.#open.get(user) ?? 0;
  }
}
