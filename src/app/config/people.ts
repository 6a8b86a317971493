/**
 * Configuration sections about people: users and their default limits, per-workload resource
 * bounds, and the isolation choices only an admin may weaken.
 *
 * @module
 */
import { z } from "zod";
import { cpus, memory, pids } from "../../domain/config-fields.js";
import { sizeSchema } from "../../domain/sizes.js";
import { userIdSchema } from "../../domain/identity.js";
import { MAX_IDLE_TIMEOUT_MS, parseDuration } from "../../domain/idle.js";

export const usersSchema = z
  .object({
    /** Users who are admins from the start. `local:admin` is always an admin. */
    admins: z.array(userIdSchema).default([]),
    /** Users admitted without an admin's approval. */
    allowlist: z.array(userIdSchema).default([]),
    /** Limits given to a new user. */
    defaults: z
      .object({
        diskQuota: sizeSchema.default(10 * 1024 ** 3),
        maxWorkloads: z.number().int().positive().default(5),
        cpuBudget: cpus(4),
        memoryBudget: memory(8 * 1024 ** 3),
        /** Processes summed over a user's workloads' `pids` limits. */
        pidsBudget: pids(4096),
        /** The longest inactivity timeout a user's workloads may have ("8h"); absent: no maximum. */
        maxIdleTimeout: z
          .union([z.string(), z.number()])
          .transform((value, context) => {
            const ms = parseDuration(value);
            if (ms === undefined || ms === 0 || ms > MAX_IDLE_TIMEOUT_MS) {
              context.addIssue({
                code: "custom",
                message: 'must be a duration like "8h" (at most 7d); leave it out for no maximum',
              });
              return z.NEVER;
            }
            return ms;
          })
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** Per-workload resource defaults and admin-set maxima. */
export const resourcesSchema = z
  .object({
    defaultCpus: cpus(1),
    maxCpus: cpus(4),
    defaultMemory: memory(1024 ** 3),
    maxMemory: memory(8 * 1024 ** 3),
    /** Most processes (tasks) one workload may run: the cgroup `pids.max`. */
    defaultPids: pids(512),
    maxPids: pids(4096),
  })
  .strict()
  .prefault({});

/** Choices that weaken isolation; every one is off unless the admin turns it on. */
export const securitySchema = z
  .object({
    /** Allow code-server with `auth: none` (a root shell for whoever reaches its port). */
    allowCodeServerWithoutAuth: z.boolean().default(false),
  })
  .strict()
  .prefault({});
