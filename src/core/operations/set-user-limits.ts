/**
 * `setUserLimits` (admins): change a user's disk quota, workload count and CPU/memory/process budgets,
 * the longest idle timeout, and which kind of workload they get (`defaultKind`, `vmOnly`: VMs for
 * people the admin trusts less). Sizes are typed like "20G"; the idle maximum like "8h" ("none": no
 * maximum). The new disk quota is applied to storage right away.
 *
 * @module
 */
import { z } from "zod";
import { InvalidInputError, NotFoundError } from "../../domain/errors.js";
import { userStorageKey, type Actor, type UserId, type UserLimits } from "../../domain/identity.js";
import { sizeSchema } from "../../domain/sizes.js";
import { MAX_IDLE_TIMEOUT_MS, parseDuration } from "../../domain/idle.js";
import { RESOURCE_MINIMUMS, zodIssues } from "../../domain/spec.js";
import type { Planned, UserLimitsInput, UserView } from "../api.js";
import type { StoredUser } from "../../state/users-repository.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toUserView } from "../views.js";
import { runtimeForKind } from "../runtime-registry.js";

/** The kind settings after `changes`: `container` as the default is stored as no setting, `vmOnly: false` likewise. */
function kindChanges(
  current: UserLimits,
  changes: { defaultKind?: "container" | "vm"; vmOnly?: boolean },
): Pick<UserLimits, "defaultKind" | "vmOnly"> {
  const defaultKind = changes.defaultKind ?? current.defaultKind;
  const vmOnly = changes.vmOnly ?? current.vmOnly;
  return { ...(defaultKind === "vm" ? { defaultKind } : {}), ...(vmOnly === true ? { vmOnly } : {}) };
}

const limitsSchema = z
  .object({
    diskQuota: sizeSchema.optional(),
    maxWorkloads: z.number().int().min(0).max(1000).optional(),
    cpuBudget: z.number().positive().max(1024).optional(),
    memoryBudget: sizeSchema.optional(),
    pidsBudget: z
      .union([z.number(), z.string().regex(/^\d+$/, "must be a whole number").transform(Number)])
      .pipe(
        z
          .number()
          .int()
          .min(RESOURCE_MINIMUMS.pids, `must be at least ${RESOURCE_MINIMUMS.pids} processes`)
          .max(4_194_304),
      )
      .optional(),
    /** "8h"; "none" removes the maximum. */
    maxIdleTimeout: z
      .string()
      .max(32)
      .transform((value, context) => {
        if (value.trim().toLowerCase() === "none") return "none" as const;
        const ms = parseDuration(value);
        if (ms === undefined || ms === 0 || ms > MAX_IDLE_TIMEOUT_MS) {
          context.addIssue({
            code: "custom",
            message: 'must be a duration like "8h" (at most 7d), or "none" for no maximum',
          });
          return z.NEVER;
        }
        return ms;
      })
      .optional(),
    defaultKind: z.enum(["container", "vm"]).optional(),
    vmOnly: z.boolean().optional(),
  })
  .strict();

/** Sets some of `userId`'s limits. */
export function setUserLimits(
  services: CoreServices,
  actor: Actor,
  userId: string,
  limits: Partial<UserLimitsInput>,
): Promise<UserView> {
  const { context } = services;
  return runOperation(services, {
    operation: "setUserLimits",
    actor,
    args: { userId, limits },
    validate: () => validateLimits(userId, limits),
    run: async ({ input: { id, changes } }) => {
      const { target, next } = nextLimits(services, id, changes);
      context.repos.users.update(id, { limits: next });
      const usage = context.repos.workloads.usage(id);
      // Apply a changed quota to an existing storage area; new users get it on first create.
      if (changes.diskQuota !== undefined && usage.count > 0)
        await context.deps.storage.ensureUser(userStorageKey(id), next.diskQuotaBytes);
      return toUserView({ ...target, limits: next }, usage.count);
    },
  });
}

/** The dry run of `setUserLimits`: the same checks, and every limit that would change, before → after. */
export function planSetUserLimits(
  services: CoreServices,
  actor: Actor,
  userId: string,
  limits: Partial<UserLimitsInput>,
): Promise<Planned> {
  return runOperation(services, {
    operation: "setUserLimits",
    actor,
    args: { userId, limits },
    dryRun: true,
    validate: () => validateLimits(userId, limits),
    run: async ({ input: { id, changes } }): Promise<Planned> => {
      const { target, next } = nextLimits(services, id, changes);
      const before = target.limits as unknown as Record<string, unknown>;
      const after = next as unknown as Record<string, unknown>;
      const steps = [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
        .map((key) => `${key}: ${JSON.stringify(before[key] ?? "unset")} → ${JSON.stringify(after[key] ?? "unset")}`);
      return { type: "planned", plan: { operation: "setUserLimits", user: id, status: target.status, steps } };
    },
  });
}

type LimitChanges = z.infer<typeof limitsSchema>;

function validateLimits(userId: string, limits: unknown): { id: UserId; changes: LimitChanges } {
  const id = validateUserId(userId);
  const parsed = limitsSchema.safeParse(limits ?? {});
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error, "limits"));
  return { id, changes: parsed.data };
}

/** The user and their limits after `changes`; refuses an unknown user, and VMs as a default without a VM runtime. */
function nextLimits(
  services: CoreServices,
  id: UserId,
  changes: LimitChanges,
): { readonly target: StoredUser; readonly next: UserLimits } {
  const { context } = services;
  // VMs as the default (or the only kind) need a VM runtime: refused plainly without one.
  if (changes.defaultKind === "vm" || changes.vmOnly === true) runtimeForKind(context.deps.runtimes, "vm");
  const target = context.repos.users.get(id);
  if (!target) throw new NotFoundError("user", id, `No user "${id}" has contacted voxnix yet.`);
  let next: UserLimits = {
    diskQuotaBytes: changes.diskQuota ?? target.limits.diskQuotaBytes,
    maxWorkloads: changes.maxWorkloads ?? target.limits.maxWorkloads,
    cpuBudget: changes.cpuBudget ?? target.limits.cpuBudget,
    memoryBudgetBytes: changes.memoryBudget ?? target.limits.memoryBudgetBytes,
    pidsBudget: changes.pidsBudget ?? target.limits.pidsBudget,
    ...kindChanges(target.limits, changes),
  };
  // "none" is stored as 0, so a configured default maximum does not fill it back in.
  const maxIdle =
    changes.maxIdleTimeout === undefined
      ? target.limits.maxIdleTimeoutMs
      : changes.maxIdleTimeout === "none"
        ? 0
        : changes.maxIdleTimeout;
  if (maxIdle !== undefined) next = { ...next, maxIdleTimeoutMs: maxIdle };
  return { target, next };
}
