/**
 * A clock tests move by hand, for confirmation expiry, undo windows and pruning.
 *
 * @module
 */
import type { Clock } from "../../src/ports/clock.js";

/** A settable clock; starts at 2026-01-01T00:00:00Z unless told otherwise. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: Date = new Date("2026-01-01T00:00:00Z")) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Sets the current time. */
  set(date: Date): void {
    this.#now = date.getTime();
  }
}
