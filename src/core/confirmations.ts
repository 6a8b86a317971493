/**
 * Confirmation tokens for destroys and disruptive changes: random, single use, stored only as a SHA-256, bound to
 * the actor, the workload and a hash of the plan (and the workload state it was made from).
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { ConflictError, NotFoundError, type DestroyPlan } from "../domain/errors.js";
import type { UserId } from "../domain/identity.js";
import type { ConfirmablePlan } from "../api/outcome.js";
import type { ConfirmationRecord } from "../state/confirmations-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { CoreContext } from "./context.js";

/** SHA-256 hex of `text`. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** What a destroy of `record` removes and keeps, in words. */
export function buildDestroyPlan(context: CoreContext, record: WorkloadRecord): DestroyPlan {
  const hours = Math.round((context.deps.policy.undoWindowMs / 3_600_000) * 10) / 10;
  const window = hours >= 1 ? `${hours} hours` : `${Math.round(context.deps.policy.undoWindowMs / 60_000)} minutes`;
  const removes = [`the container "${record.name}" and everything running in it`];
  const keeps: string[] = [];
  if (record.spec.workspace.enabled) {
    removes.push(`its /workspace files (a snapshot is kept)`);
    keeps.push(`a snapshot of /workspace, restorable with "restore ${record.name}" for ${window}`);
  } else {
    keeps.push(`its settings, so "restore ${record.name}" can recreate it (empty) for ${window}`);
  }
  if (record.spec.remoteAccess) removes.push("its Tailscale node and key file");
  return { workload: record.name, removes, keeps };
}

/** A hash of the plan and of the workload state it describes; any change invalidates tokens. */
export function planHash(plan: ConfirmablePlan, record: WorkloadRecord): string {
  return sha256(
    JSON.stringify({
      plan,
      spec: record.spec,
      status: record.status,
      owner: record.owner,
      createdAt: record.createdAt.getTime(),
    }),
  );
}

/** Creates and stores a token for `actor` to confirm `plan`; returns it with its expiry. A change keeps its stated request with the token. */
export function issueToken(
  context: CoreContext,
  actor: UserId,
  record: WorkloadRecord,
  plan: ConfirmablePlan,
  change?: { readonly requestJson: string },
): { token: string; expiresAt: Date } {
  // A token starting with "-" would read as an option in `voxnix ctl confirm <token>`.
  let token = randomBytes(18).toString("base64url");
  while (token.startsWith("-")) token = randomBytes(18).toString("base64url");
  const now = context.deps.clock.now();
  const expiresAt = new Date(now.getTime() + context.deps.policy.confirmationTtlMs);
  context.repos.confirmations.deleteExpired(now);
  context.repos.confirmations.insert({
    tokenHash: sha256(token),
    actor,
    workload: record.name,
    planHash: planHash(plan, record),
    expiresAt,
    ...(change === undefined ? {} : { operation: "change" as const, requestJson: change.requestJson }),
  });
  return { token, expiresAt };
}

/** The one refusal for unknown, used, expired and other people's tokens, so none can be probed. */
export function confirmationRefused(): NotFoundError {
  return new NotFoundError(
    "confirmation",
    "token",
    "That confirmation is not valid: it may have expired, been used already or belong to someone else. Ask to destroy again.",
  );
}

/** Looks up a token for `actor`, refusing anything not currently redeemable by them. */
export function findRedeemable(context: CoreContext, actor: UserId, token: string): ConfirmationRecord {
  const record = context.repos.confirmations.get(sha256(token));
  if (
    !record ||
    record.usedAt ||
    record.actor !== actor ||
    record.expiresAt.getTime() <= context.deps.clock.now().getTime()
  ) {
    throw confirmationRefused();
  }
  return record;
}

/** The conflict when the workload changed since the plan was made. */
export function planChanged(workload: string, operation: "destroy" | "change" = "destroy"): ConflictError {
  return new ConflictError(
    "plan-changed",
    `"${workload}" changed since this plan was made; ask to ${operation} it again to see the new plan.`,
  );
}
