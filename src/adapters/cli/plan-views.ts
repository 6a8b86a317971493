/**
 * Human renderings of plans: a create's dry run, a change, a plan waiting for confirmation
 * (exit 4) and every other dry run, each returning lines.
 *
 * @module
 */
import type { CreatePlan } from "../../core/api.js";
import {
  confirmationHeadline,
  isChangePlan,
  type ChangePlan,
  type NeedsConfirmation,
  type OperationPlan,
  type Planned,
} from "../../api/outcome.js";
import { formatSize } from "../../domain/sizes.js";
import { formatTime, renderKeyValue } from "./render.js";

/** `ctl create --dry-run`: the validated spec and the artifacts and commands the backend would use. */
export function renderCreatePlan(plan: CreatePlan): string[] {
  const lines = [
    `Dry run: nothing was created. This is what \`voxnix ctl create ${plan.spec.name}\` would do.`,
    ...renderKeyValue([
      ["name", plan.spec.name],
      ["owner", plan.owner],
      ["backend", plan.backend],
      ["modules", plan.spec.modules.join(", ") || "-"],
      ["cpus", plan.spec.resources.cpus],
      ["memory", formatSize(plan.spec.resources.memoryBytes)],
      ["pids", plan.spec.resources.pids],
      ["workspace", plan.spec.workspace.enabled ? (plan.workspaceHostPath ?? "on") : "off"],
      ["remote access", plan.spec.remoteAccess ? "on" : "off"],
      ...(plan.idleTimeout === undefined ? [] : [["idle timeout", plan.idleTimeout] as [string, string]]),
    ]),
  ];
  for (const artifact of plan.backendPlan.artifacts) {
    lines.push("", `--- ${artifact.path}`, ...artifact.content.trimEnd().split("\n"));
  }
  if (plan.backendPlan.commands.length > 0) {
    lines.push("", "Commands, in order:", ...plan.backendPlan.commands.map((argv) => `  ${argv.join(" ")}`));
  }
  return lines;
}

/** A change plan: every field before → after, and what happens to the running workload. */
export function renderChangePlan(plan: ChangePlan): string[] {
  if (plan.unchanged) return [`${plan.workload} already has that; nothing was changed.`];
  return [
    `Changing ${plan.workload}:`,
    ...plan.changes.map((change) => `  ${change.field}: ${change.before} → ${change.after}`),
    ...(plan.restart ? [`  ${plan.workload} restarts to apply it.`] : []),
    ...plan.notes.map((note) => `  (${note})`),
  ];
}

/** A destroy or change plan with its token, as printed with exit code 4. */
export function renderConfirmation(error: NeedsConfirmation, withToken = true): string[] {
  const lines = [
    confirmationHeadline(error.plan),
    ...(isChangePlan(error.plan)
      ? error.plan.changes.map((change) => `  changes: ${change.field}: ${change.before} → ${change.after}`)
      : []),
    ...error.plan.removes.map((item) => `  removes: ${item}`),
    ...error.plan.keeps.map((item) => `  keeps:   ${item}`),
  ];
  if (withToken) {
    lines.push(
      `To go ahead, run: voxnix ctl confirm ${error.token}  (valid until ${formatTime(error.expiresAt)}), or repeat the command with --yes.`,
    );
  }
  return lines;
}

/** A dry run's plan: the steps it would take; nothing was changed. */
export function renderPlan(outcome: Planned): string[] {
  const { plan } = outcome;
  if (plan.operation === "create") return renderCreatePlan(plan.create);
  const subject = planSubject(plan);
  const steps = plan.steps.length > 0 ? plan.steps.map((step) => `  - ${step}`) : ["  (nothing to do)"];
  return [`Dry run: nothing was changed. This is what ${subject} would do:`, ...steps];
}

/** The command a plan is the dry run of, as people typed it. */
function planSubject(plan: Exclude<OperationPlan, { readonly operation: "create" }>): string {
  switch (plan.operation) {
    case "autostart":
    case "keep":
      return plan.operation;
    case "reconcile":
      return "ctl reconcile";
    case "buildImages":
      return "images build";
    case "approveUser":
      return `users approve ${plan.user}`;
    case "denyUser":
      return `users deny ${plan.user}`;
    case "setUserLimits":
      return `users limits ${plan.user}`;
    case "setIdleTimeout":
      return `idle ${plan.workload}`;
    case "confirm":
      return `ctl confirm (the ${plan.confirms} of ${plan.workload})`;
    case "createApiToken":
      return `users token create ${plan.user}`;
    case "createLoginLink":
      return `web link (for ${plan.user})`;
    case "addSshKey":
      return `users key add ${plan.user}`;
    case "removeSshKey":
      return `users key remove ${plan.user} ${plan.fingerprint}`;
    case "revokeApiToken":
      return `users token revoke ${plan.token}`;
    case "openSession":
      return `a session in ${plan.workload} (ctl exec, ctl shell)`;
    default:
      return `${plan.operation} ${plan.workload}`;
  }
}
