/**
 * A per-key promise queue: work for one user runs one at a time, in arrival order, while
 * different users run in parallel. Idle keys are dropped so the map does not grow forever.
 *
 * @module
 */

/** Serialises work per key. */
export class UserQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` after everything queued earlier for `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
