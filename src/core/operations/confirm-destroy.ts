/**
 * `confirm`: redeems a destroy token (or a change token, handed to `change-workload.ts`). Unknown, used, expired and other people's tokens get
 * one identical refusal; a workload that changed since the plan gets `plan-changed`. Then
 * the destroy runs as a job.
 *
 * @module
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { ConfirmedJob, Planned } from "../api.js";
import { buildDestroyPlan, confirmationRefused, findRedeemable, planChanged, planHash } from "../confirmations.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { teardownWorkload } from "../teardown.js";
import { confirmChange } from "./change-workload.js";

/** Confirms a destroy plan (or a disruptive change) with `token` and starts its job. */
export function confirmDestroy(services: CoreServices, actor: Actor, token: string): Promise<ConfirmedJob> {
  const { context } = services;
  return runOperation(services, {
    operation: "confirm",
    actor,
    args: { token },
    validate: () => validateToken(token),
    run: async ({ user, input, lock, detach, setTarget }): Promise<ConfirmedJob> => {
      const confirmation = findRedeemable(context, user.id, input);
      setTarget(confirmation.workload);
      if (confirmation.operation === "change")
        return confirmChange(services, actor, user, confirmation, { lock, detach });
      lock(confirmation.workload);
      const record = context.repos.workloads.get(confirmation.workload);
      if (!record || record.status === "creating" || record.status === "destroying")
        throw planChanged(confirmation.workload);
      if (planHash(buildDestroyPlan(context, record), record) !== confirmation.planHash) throw planChanged(record.name);
      if (!context.repos.confirmations.markUsed(confirmation.tokenHash, context.deps.clock.now()))
        throw confirmationRefused();
      context.repos.workloads.update(record.name, { status: "destroying" }, context.deps.clock.now());
      const onSettled = detach();
      const handle = services.jobs.start({
        onSettled,
        kind: "destroy",
        workload: record.name,
        owner: record.owner,
        work: (job) => teardownWorkload(context, { ...record, status: "destroying" }, job),
      });
      return handle;
    },
  });
}

/**
 * The dry run of `confirm`: the token is checked as the real call would (this actor's, unused,
 * unexpired; for a destroy, the workload still as planned) and not used.
 */
export function planConfirm(services: CoreServices, actor: Actor, token: string): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "confirm",
    actor,
    args: { token },
    dryRun: true,
    validate: () => validateToken(token),
    run: async ({ user, input, setTarget }): Promise<Planned> => {
      const confirmation = findRedeemable(context, user.id, input);
      setTarget(confirmation.workload);
      const workload = confirmation.workload;
      if (confirmation.operation === "change") {
        const steps = [`carry out the confirmed change of ${workload} (its plan is checked again then)`];
        return { type: "planned", plan: { operation: "confirm", workload, confirms: "change", steps } };
      }
      const record = context.repos.workloads.get(workload);
      if (!record || record.status === "creating" || record.status === "destroying") throw planChanged(workload);
      const plan = buildDestroyPlan(context, record);
      if (planHash(plan, record) !== confirmation.planHash) throw planChanged(record.name);
      const steps = [...plan.removes.map((item) => `remove ${item}`), ...plan.keeps.map((item) => `keep ${item}`)];
      return { type: "planned", plan: { operation: "confirm", workload, confirms: "destroy", steps } };
    },
  });
}

function validateToken(token: unknown): string {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{8,128}$/.test(token.trim())) {
    throw new InvalidInputError([
      { path: "token", message: "That is not a confirmation token; copy the token from the destroy plan." },
    ]);
  }
  return token.trim();
}
