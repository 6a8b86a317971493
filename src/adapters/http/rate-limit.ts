/**
 * Per-user token buckets kept in memory, one for reads and one for writes: each user may make
 * `burst` requests of a kind at once and `perMinute` a minute on average; beyond that the answer
 * is 429 with `Retry-After`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AuthVariables } from "./auth.js";
import { HttpProblem } from "./errors.js";

/** One bucket's size and refill rate. */
export interface BucketOptions {
  readonly perMinute: number;
  readonly burst: number;
}

/** The read and write budgets. */
export interface RateLimitOptions {
  /** GET and HEAD, event streams included (each counts once, when it opens). */
  readonly reads: BucketOptions;
  /** Everything else: requests that change something or start work. */
  readonly writes: BucketOptions;
  /** Milliseconds since the epoch (tests pass a fake). */
  readonly now?: () => number;
}

/**
 * The defaults. Reads get a large budget because one dashboard page load makes about six of
 * them (and a person reloads, opens a second tab, reconnects): a single bucket of 30 refused
 * a person's destroy after a few quick reloads. Writes keep the tight budget that protects
 * the appliance from a runaway script creating workloads.
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  reads: { perMinute: 600, burst: 120 },
  writes: { perMinute: 60, burst: 30 },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Limits requests per authenticated user, reads and writes separately; runs after `authenticate`. */
export function rateLimit(
  options: RateLimitOptions = DEFAULT_RATE_LIMIT,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? Date.now;
  return async function limitRate(context, next) {
    const read = context.req.method === "GET" || context.req.method === "HEAD";
    const budget = read ? options.reads : options.writes;
    const perMillisecond = budget.perMinute / 60_000;
    const key = `${read ? "read" : "write"}:${context.get("actor").userId}`;
    const at = now();
    const bucket = buckets.get(key) ?? { tokens: budget.burst, updatedAt: at };
    bucket.tokens = Math.min(budget.burst, bucket.tokens + (at - bucket.updatedAt) * perMillisecond);
    bucket.updatedAt = at;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMillisecond / 1000));
      throw new HttpProblem(
        "rate-limited",
        429,
        `Too many requests; try again in ${retryAfter} s.`,
        {},
        { "retry-after": String(retryAfter) },
      );
    }
    bucket.tokens -= 1;
    await next();
  };
}
