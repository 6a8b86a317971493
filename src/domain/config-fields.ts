/**
 * Building blocks of configuration schemas that several sections share (durations, CPU and
 * memory minimums, checked strings). They live in the domain so each runtime's and driver's
 * settings schema, kept in its own folder, can use them without importing the app.
 *
 * @module
 */
import { z } from "zod";
import { formatSize, sizeSchema } from "./sizes.js";
import { RESOURCE_MINIMUMS } from "./spec.js";
import { MAX_IDLE_TIMEOUT_MS, parseDuration } from "./idle.js";

export const seconds = (fallback: number) => z.number().positive().default(fallback);
export const cpus = (fallback: number) =>
  z.number().min(RESOURCE_MINIMUMS.cpus, `must be at least ${RESOURCE_MINIMUMS.cpus} CPUs`).default(fallback);
export const memory = (fallback: number) =>
  sizeSchema
    .refine(
      (bytes) => bytes >= RESOURCE_MINIMUMS.memoryBytes,
      `must be at least ${formatSize(RESOURCE_MINIMUMS.memoryBytes)}`,
    )
    .default(fallback);
/** A string checked by `problem`, whose answer (when there is one) is the issue's message. */
export const checked = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const message = problem(value);
    if (message !== undefined) context.addIssue({ code: "custom", message });
  });
/** A duration like "2h", "90m", "1h30m", "45s" (a number is minutes); "0"/"off" is 0. In milliseconds. */
export const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, context) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms > MAX_IDLE_TIMEOUT_MS) {
        context.addIssue({
          code: "custom",
          message: 'must be a duration like "2h", "90m" or "45s" (at most 7d), or "off"',
        });
        return z.NEVER;
      }
      return ms;
    });
export const pids = (fallback: number) =>
  z
    .number()
    .int()
    .min(RESOURCE_MINIMUMS.pids, `must be at least ${RESOURCE_MINIMUMS.pids} processes`)
    .default(fallback);
