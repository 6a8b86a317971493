/**
 * Time, behind a port so tests can move it (confirmation expiry, undo windows, pruning).
 *
 * @module
 */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
