/**
 * `keep`: "I'm still using it". Resets the inactivity timer of one of the actor's workloads,
 * or, without a name (the reply "keep" to a warning), of every workload of the actor whose
 * owner was warned. Audited like any operation; "not yours" is "not found".
 *
 * @module
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { KeepResult, Planned } from "../api.js";
import type { CoreContext } from "../context.js";
import type { StoredUser } from "../../state/users-repository.js";
import type { WorkloadRecord } from "../../state/workloads-repository.js";
import { idleView } from "../idle-timers.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Keeps the actor's workload `name` (or the warned ones) running. */
export function keepWorkload(services: CoreServices, actor: Actor, name?: string): Promise<KeepResult> {
  const { context } = services;
  return runOperation(services, {
    operation: "keep",
    actor,
    args: { name },
    validate: () => (name === undefined || name === "" ? undefined : validateName(name)),
    target: (validName) => validName,
    run: async ({ user, workload, setTarget }) => {
      const { repos } = context;
      const kept = workloadsToKeep(context, user, workload);
      if (kept.length === 1) setTarget(kept[0]!.name);
      for (const record of kept) services.activity.record(record.name, "keep");
      return {
        kept: kept.map((record) => {
          const view = idleView(context, repos.workloads.get(record.name) ?? record);
          return { workload: record.name, ...(view.stopsAt ? { stopsAt: view.stopsAt } : {}) };
        }),
      };
    },
  });
}

/** The dry run of `keep`: the same choice of workloads, and no timer touched. */
export function planKeep(services: CoreServices, actor: Actor, name?: string): Promise<Planned> {
  return runOperation(services, {
    operation: "keep",
    actor,
    args: { name },
    dryRun: true,
    validate: () => (name === undefined || name === "" ? undefined : validateName(name)),
    target: (validName) => validName,
    run: async ({ user, workload, setTarget }): Promise<Planned> => {
      const kept = workloadsToKeep(services.context, user, workload);
      if (kept.length === 1) setTarget(kept[0]!.name);
      const workloads = kept.map((record) => record.name);
      return {
        type: "planned",
        plan: {
          operation: "keep",
          workloads,
          steps: workloads.map((kept) => `reset the inactivity timer of ${kept} (its idle period starts again)`),
        },
      };
    },
  });
}

/**
 * The workloads a `keep` concerns: the named one, else the actor's running ones whose owner
 * was warned, else their only running one; refused when that leaves none.
 */
function workloadsToKeep(
  context: CoreContext,
  user: StoredUser,
  workload: WorkloadRecord | undefined,
): readonly WorkloadRecord[] {
  const { repos } = context;
  const own = workload
    ? [workload]
    : repos.workloads
        .listByOwner(user.id)
        .filter((record) => record.status === "ready" && record.desired === "running");
  const chosen = workload ? own : own.filter((record) => repos.idleTimers.get(record.name)?.warnedAt !== undefined);
  // Nothing warned: "keep" still means the one running workload when there is only one.
  const kept = chosen.length > 0 ? chosen : own.length === 1 ? own : [];
  if (kept.length === 0) {
    throw new InvalidInputError([
      {
        path: "name",
        message:
          own.length === 0
            ? "You have no running workload to keep."
            : `Which one? Say "keep NAME" (${own.map((record) => record.name).join(", ")}).`,
      },
    ]);
  }
  return kept;
}
