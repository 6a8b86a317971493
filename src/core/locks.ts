/**
 * Per-workload locks: an in-process set (cheap, catches concurrent calls in one process)
 * backed by the `workload_locks` table (catches a second process, such as the CLI while the
 * Telegram bot runs). A lock left by a dead process is taken over.
 *
 * @module
 */
import { ConflictError } from "../domain/errors.js";
import type { CoreContext } from "./context.js";

/** Releases a held lock; calling it twice is harmless. */
export type ReleaseLock = () => void;

/** The lock service of one core instance. */
export class WorkloadLocks {
  readonly #held = new Set<string>();
  readonly #context: CoreContext;

  constructor(context: CoreContext) {
    this.#context = context;
  }

  /** Takes the lock on `name` or throws `ConflictError('busy')`. */
  acquire(name: string): ReleaseLock {
    if (this.#held.has(name)) throw busy(name);
    const { repos, instanceId, pid, isHolderAlive, deps } = this.#context;
    if (!repos.locks.tryAcquire(name, instanceId, pid, deps.clock.now(), isHolderAlive)) throw busy(name);
    this.#held.add(name);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held.delete(name);
      repos.locks.release(name, instanceId);
    };
  }

  /** True when this instance holds the lock on `name`. */
  holds(name: string): boolean {
    return this.#held.has(name);
  }
}

function busy(name: string): ConflictError {
  return new ConflictError("busy", `"${name}" is busy with another operation; try again when it has finished.`);
}
