/**
 * Failure injection and call recording shared by the fakes: `failNext(method, error)` makes
 * the next call of `method` throw, `hold(method)` makes the next call wait until released.
 *
 * @module
 */

/** One recorded call of a fake's method. */
export interface RecordedCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** A gate returned by `hold`: the held call continues when `release` is called. */
export interface Hold {
  /** Resolves once the held call has started waiting. */
  readonly reached: Promise<void>;
  release(): void;
}

/** Records calls and injects failures and pauses, per method name. */
export class FailureInjector<Method extends string> {
  readonly calls: RecordedCall[] = [];
  readonly #failures = new Map<Method, Error[]>();
  readonly #holds = new Map<Method, { reached: () => void; gate: Promise<void> }[]>();

  /** Makes the next call of `method` throw `error` (queued: call twice to fail twice). */
  failNext(method: Method, error: Error): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push(error);
    this.#failures.set(method, queue);
  }

  /** Makes the next call of `method` wait until the returned hold is released. */
  hold(method: Method): Hold {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = this.#holds.get(method) ?? [];
    queue.push({ reached, gate });
    this.#holds.set(method, queue);
    return { reached: reachedPromise, release };
  }

  /** Records the call, waits for a hold, then throws an injected failure if one is queued. */
  async enter(method: Method, args: readonly unknown[]): Promise<void> {
    this.calls.push({ method, args });
    const held = this.#holds.get(method)?.shift();
    if (held) {
      held.reached();
      await held.gate;
    }
    const failure = this.#failures.get(method)?.shift();
    if (failure) throw failure;
  }

  /** Synchronous variant of `enter` for methods that cannot wait. */
  enterSync(method: Method, args: readonly unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.#failures.get(method)?.shift();
    if (failure) throw failure;
  }

  /** The recorded calls of one method. */
  callsOf(method: Method): readonly RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }
}
