/**
 * `plan`: the dry run of any operation with `plan: true` in the operation table, dispatched
 * to that operation's own plan function, so every adapter's `--dry-run` goes through the
 * core's real checks and none fakes one.
 *
 * @module
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { PlannableOperation } from "../../domain/operations.js";
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { Planned, PlanRequest } from "../api.js";
import type { CoreServices } from "../services.js";
import { planAutostart } from "./autostart.js";
import { planBuildImages } from "./build-images.js";
import { planChange } from "./change-workload.js";
import { planCreate } from "./plan-create.js";
import { planDestroy } from "./destroy-workload.js";
import { planKeep } from "./keep-workload.js";
import { planSetIdleTimeout } from "./set-idle-timeout.js";
import { planRestart } from "./restart-workload.js";
import { planReconcile } from "./run-reconcile.js";
import { planCreateApiToken } from "./create-api-token.js";
import { planRevokeApiToken } from "./revoke-api-token.js";
import { planAddSshKey } from "./add-ssh-key.js";
import { planConfirm } from "./confirm-destroy.js";
import { planCreateLoginLink } from "./create-login-link.js";
import { planRemoveSshKey } from "./remove-ssh-key.js";
import { planSetUserLimits } from "./set-user-limits.js";
import { planUserStatus } from "../user-status.js";
import type { UserLimitsInput } from "../api.js";
import { planRestore } from "./restore-workload.js";
import { planStart } from "./start-workload.js";
import { planStop } from "./stop-workload.js";
import { planOpenSession } from "./open-session.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * The dry runs `PlanRequest` offers are exactly the rows with `plan: true` in the operation
 * table: a row that says `plan: true` without a planner here, or a planner for a row that does
 * not say so, is a compile error rather than a dry run that answers "no dry run".
 */
const _PLAN_REQUESTS_ARE_THE_PLANNABLE_ROWS: Same<PlanRequest["operation"], PlannableOperation> = true;

/** Plans `request` as `actor`. */
export function planOperation(services: CoreServices, actor: Actor, request: PlanRequest): Promise<Planned> {
  switch (request?.operation) {
    case "create":
      return planCreate(services, actor, request.input as ContainerSpecInput, request.idleTimeout);
    case "start":
      return planStart(services, actor, request.name);
    case "openSession":
      return planOpenSession(services, actor, { name: request.name, command: request.command });
    case "stop":
      return planStop(services, actor, request.name);
    case "restart":
      return planRestart(services, actor, request.name);
    case "destroy":
      return planDestroy(services, actor, request.name);
    case "change":
      return planChange(services, actor, request.name, request.change);
    case "restore":
      return planRestore(services, actor, request.name);
    case "keep":
      return planKeep(services, actor, request.name);
    case "setIdleTimeout":
      return planSetIdleTimeout(services, actor, request.name, request.timeout);
    case "autostart":
      return planAutostart(services, actor);
    case "reconcile":
      return planReconcile(services, actor);
    case "createLoginLink":
      return planCreateLoginLink(services, actor);
    case "confirm":
      return planConfirm(services, actor, request.token);
    case "addSshKey":
      return planAddSshKey(services, actor, {
        ...(request.userId === undefined ? {} : { userId: request.userId }),
        publicKey: request.publicKey,
      });
    case "removeSshKey":
      return planRemoveSshKey(services, actor, {
        ...(request.userId === undefined ? {} : { userId: request.userId }),
        fingerprint: request.fingerprint,
      });
    case "createApiToken":
      return planCreateApiToken(services, actor, request.userId);
    case "revokeApiToken":
      return planRevokeApiToken(services, actor, request.id);
    case "approveUser":
    case "denyUser":
      return planUserStatus(services, actor, request.userId, request.operation);
    case "setUserLimits":
      return planSetUserLimits(services, actor, request.userId, request.limits as Partial<UserLimitsInput>);
    case "buildImages":
      return planBuildImages(services, actor);
    default:
      return noDryRun(request);
  }
}

/** Every `PlanRequest` has a case above (`request` is `never` here); what else arrives at run time has no dry run. */
function noDryRun(_request: never): Promise<Planned> {
  return Promise.reject(new InvalidInputError([{ path: "operation", message: "That operation has no dry run." }]));
}
