/**
 * Outcomes as data: what a mutating operation answers. Every adapter (CLI, chat, Telegram,
 * HTTP) renders these same values; none catches an exception to learn that an operation
 * succeeded or is waiting for a confirmation.
 *
 * - `done`: it happened; here is the result;
 * - `job`: it is happening; follow the job;
 * - `needs-confirmation`: nothing happened yet; here is the plan and a single-use token;
 * - `planned`: a dry run; here is what would happen, and nothing was touched.
 *
 * @module
 */
import type { FieldChange } from "../domain/change.js";
import type { DestroyPlan } from "../domain/errors.js";
import type { WorkloadSpec } from "../domain/spec.js";
import type { UserId } from "../domain/identity.js";
import type { RuntimePlan, SessionCommand } from "../ports/runtime.js";

/** It happened. */
export interface Done<T> {
  readonly type: "done";
  readonly value: T;
}

/**
 * What a change of a workload would do: every field before → after, whether it restarts the
 * workload, and (like a destroy plan) what it removes and keeps, in words. `unchanged` when the
 * stated change is what the workload already has.
 */
export interface ChangePlan {
  readonly operation: "change";
  readonly workload: string;
  readonly changes: readonly FieldChange[];
  readonly unchanged: boolean;
  /** The workload is running and must restart for the change to take effect. */
  readonly restart: boolean;
  /** Needs a confirmation: it restarts the workload or removes a module. */
  readonly disruptive: boolean;
  readonly removes: readonly string[];
  readonly keeps: readonly string[];
  /** Remarks for the person ("memory doubled from 1 GiB", "takes effect when it next starts"). */
  readonly notes: readonly string[];
}

/** A plan waiting for a confirmation: a destroy, or a disruptive change. */
export type ConfirmablePlan = DestroyPlan | ChangePlan;

/** True for a change plan (a destroy plan has no `operation`). */
export function isChangePlan(plan: ConfirmablePlan): plan is ChangePlan {
  return (plan as { operation?: unknown }).operation === "change";
}

/** The one headline for a plan that waits for a confirmation. */
export function confirmationHeadline(plan: ConfirmablePlan): string {
  return isChangePlan(plan)
    ? `Changing "${plan.workload}" needs confirmation.`
    : `Destroying "${plan.workload}" needs confirmation.`;
}

/** Nothing happened yet: the person must confirm `plan` with `token` before `expiresAt`. */
export interface NeedsConfirmation {
  readonly type: "needs-confirmation";
  readonly plan: ConfirmablePlan;
  readonly token: string;
  readonly expiresAt: Date;
}

/** `create --dry-run`: the validated spec and what the runtime would write and run. */
export interface CreatePlan {
  readonly spec: WorkloadSpec;
  readonly owner: UserId;
  readonly workspaceHostPath?: string;
  readonly backend: string;
  readonly backendPlan: RuntimePlan;
  /** The workload's own idle timeout when one was asked for at create ("2h", or "off"). */
  readonly idleTimeout?: string;
}

/** What a dry run found would happen, per operation. */
export type OperationPlan =
  | {
      readonly operation: "create";
      readonly workload: string;
      readonly create: CreatePlan;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "destroy";
      readonly workload: string;
      readonly destroy: DestroyPlan;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "start" | "stop" | "restart" | "restore" | "openSession";
      readonly workload: string;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "change";
      readonly workload: string;
      readonly change: ChangePlan;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "setIdleTimeout";
      readonly workload: string;
      /** The timeout as asked ("2h", "off"); absent for "default". */
      readonly timeout?: string;
      readonly steps: readonly string[];
    }
  | { readonly operation: "keep"; readonly workloads: readonly string[]; readonly steps: readonly string[] }
  | {
      readonly operation: "createApiToken" | "createLoginLink";
      readonly user: string;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "confirm";
      readonly workload: string;
      /** What the token confirms. */
      readonly confirms: "destroy" | "change";
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "addSshKey" | "removeSshKey";
      /** Whose key it is. */
      readonly user: string;
      readonly fingerprint: string;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "revokeApiToken";
      readonly token: string;
      /** Whose token it is. */
      readonly user: string;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "approveUser" | "denyUser" | "setUserLimits";
      readonly user: string;
      /** Their status now: active, pending or denied. */
      readonly status: string;
      readonly steps: readonly string[];
    }
  | {
      readonly operation: "reconcile";
      /** Recorded workloads the host no longer has. */
      readonly missing: readonly string[];
      /** Workloads on the host voxnix does not manage. */
      readonly unmanaged: readonly string[];
      readonly steps: readonly string[];
    }
  | { readonly operation: "autostart"; readonly workloads: readonly string[]; readonly steps: readonly string[] }
  | { readonly operation: "buildImages"; readonly runtimes: readonly string[]; readonly steps: readonly string[] };

/** A dry run: what would happen; nothing was touched and nothing was recorded but the audit line. */
export interface Planned {
  readonly type: "planned";
  readonly plan: OperationPlan;
}

/** What a dry run can be asked for. */
export type PlanRequest =
  | { readonly operation: "create"; readonly input: unknown; readonly idleTimeout?: string }
  | { readonly operation: "start" | "stop" | "restart" | "destroy" | "restore"; readonly name: string }
  | { readonly operation: "change"; readonly name: string; readonly change: unknown }
  | { readonly operation: "keep"; readonly name?: string }
  | { readonly operation: "setIdleTimeout"; readonly name: string; readonly timeout: string }
  | { readonly operation: "autostart" }
  | { readonly operation: "reconcile" }
  | { readonly operation: "approveUser" | "denyUser"; readonly userId: string }
  | { readonly operation: "setUserLimits"; readonly userId: string; readonly limits: unknown }
  | { readonly operation: "createApiToken"; readonly userId: string }
  | { readonly operation: "revokeApiToken"; readonly id: string }
  | { readonly operation: "confirm"; readonly token: string }
  | { readonly operation: "createLoginLink" }
  | { readonly operation: "addSshKey"; readonly userId?: string; readonly publicKey: string }
  | { readonly operation: "removeSshKey"; readonly userId?: string; readonly fingerprint: string }
  | { readonly operation: "buildImages" }
  | { readonly operation: "openSession"; readonly name: string; readonly command: SessionCommand };

/** Wraps a result as `done`. */
export function done<T>(value: T): Done<T> {
  return { type: "done", value };
}

/** The create plan inside a dry run of `create`. */
export function createPlanOf(planned: Planned): CreatePlan {
  if (planned.plan.operation !== "create")
    throw new TypeError(`Expected a create plan, got a ${planned.plan.operation} plan.`);
  return planned.plan.create;
}

/**
 * The wire shape of a confirmation request, shared by the CLI's `--json` (exit 4) and the
 * HTTP API (409): `{kind: "needs-confirmation", message, plan, token, expiresAt}`.
 */
export function needsConfirmationBody(outcome: NeedsConfirmation): Record<string, unknown> {
  return {
    kind: "needs-confirmation",
    message: confirmationHeadline(outcome.plan),
    plan: outcome.plan,
    token: outcome.token,
    expiresAt: outcome.expiresAt,
  };
}
