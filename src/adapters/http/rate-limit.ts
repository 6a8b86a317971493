/**
 * A per-user token bucket kept in memory: each user may make `burst` requests at once and
 * `perMinute` a minute on average; beyond that the answer is 429 with `Retry-After`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AuthVariables } from "./auth.js";
import { HttpProblem } from "./errors.js";

/** Bucket size and refill rate. */
export interface RateLimitOptions {
  readonly perMinute: number;
  readonly burst: number;
  /** Milliseconds since the epoch (tests pass a fake). */
  readonly now?: () => number;
}

/** The defaults: 60 requests a minute, bursts of 30. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 60, burst: 30 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Limits requests per authenticated user; runs after `authenticate`. */
export function rateLimit(options: RateLimitOptions = DEFAULT_RATE_LIMIT): MiddlewareHandler<{ Variables: AuthVariables }> {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? Date.now;
  const perMillisecond = options.perMinute / 60_000;
  return async function limitRate(context, next) {
    const key = context.get("actor").userId;
    const at = now();
    const bucket = buckets.get(key) ?? { tokens: options.burst, updatedAt: at };
    bucket.tokens = Math.min(options.burst, bucket.tokens + (at - bucket.updatedAt) * perMillisecond);
    bucket.updatedAt = at;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMillisecond / 1000));
      throw new HttpProblem("rate-limited", 429, `Too many requests; try again in ${retryAfter} s.`, {}, { "retry-after": String(retryAfter) });
    }
    bucket.tokens -= 1;
    await next();
  };
}
