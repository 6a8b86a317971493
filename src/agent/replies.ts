/**
 * Plain-text wording for results, shared by the offline engine and the fallback summary of
 * the LLM path. Short sentences, one fact per line, no markup (adapters escape for theirs).
 *
 * @module
 */
import type { CommandResult } from "../ports/command-runner.js";
import type { ChangePlan } from "../api/outcome.js";
import type {
  ChangeResult,
  CreatePlan,
  DestroyResult,
  ImportedVmDetails,
  ListResult,
  StorageReport,
  UserView,
  WorkloadDetails,
  WorkloadView,
} from "../core/api.js";
import { isImportedVm } from "../core/api.js";
import type { ModuleInfo } from "../domain/catalog.js";
import type { DestroyPlan } from "../domain/errors.js";
import type { LogEntry } from "../ports/runtime.js";
import { formatSize } from "../domain/sizes.js";

/** "git, fish and workspace". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]!}`;
}

function stateOf(workload: WorkloadView): string {
  if (workload.status === "creating") return "being created";
  if (workload.status === "destroying") return "being destroyed";
  if (workload.status === "failed") return "failed";
  return workload.live === "missing" ? "missing on the host" : workload.live;
}

/** One line per workload. */
export function describeList(result: ListResult): string {
  const { workloads } = result;
  const imported = (result.imported ?? []).map(
    (vm) =>
      `• ${vm.name}: ${vm.live === "missing" ? "not found in the cluster" : vm.live} (imported VM ${vm.vmid}, read-only${vm.note ? `: ${vm.note}` : ""})`,
  );
  const importedText =
    imported.length > 0
      ? `\n${imported.length === 1 ? "Also 1 imported VM" : `Also ${imported.length} imported VMs`} (voxnix shows, never changes):\n${imported.join("\n")}`
      : "";
  if (workloads.length === 0)
    return `${imported.length > 0 ? "You have no containers of your own." : 'You have no containers yet. Try: "create a container called dev with git and fish".'}${importedText}`;
  const lines = workloads.map((workload) => {
    const modules = workload.spec.modules.length > 0 ? ` (${workload.spec.modules.join(", ")})` : "";
    const address = workload.addresses[0] ? `, ${workload.addresses[0]}` : "";
    return `• ${workload.name}: ${stateOf(workload)}${address}${modules}`;
  });
  const header = workloads.length === 1 ? "You have 1 container:" : `You have ${workloads.length} containers:`;
  return [header, ...lines].join("\n") + importedText;
}

/** Details of one workload, or of an imported VM the person may see. */
export function describeDetails(details: WorkloadDetails | ImportedVmDetails): string {
  if (isImportedVm(details)) {
    const state = details.live === "missing" ? "not found in the cluster" : details.live;
    const allowed = details.allowPowerControl
      ? "You can start and stop it here; nothing else (allowPowerControl: true)."
      : "It is read-only here: voxnix only shows it (start and stop need allowPowerControl: true on its entry).";
    const lines = [
      `${details.name} is an imported VM (VMID ${details.vmid}) that voxnix did not create; it is ${state}.`,
    ];
    if (details.addresses.length > 0) lines.push(`Address: ${details.addresses.join(", ")}.`);
    if (details.note) lines.push(`Note: ${details.note}.`);
    lines.push(allowed);
    return lines.join("\n");
  }
  const lines = [`${details.name} is ${stateOf(details)}.`];
  lines.push(`Modules: ${details.spec.modules.length > 0 ? details.spec.modules.join(", ") : "none"}.`);
  lines.push(
    `Resources: ${details.spec.resources.cpus} CPU, ${formatSize(details.spec.resources.memoryBytes)} memory.`,
  );
  if (details.addresses.length > 0) lines.push(`Address: ${details.addresses.join(", ")}.`);
  if (details.remoteAccess) {
    const where = details.remoteAccess.hostname ?? details.remoteAccess.ip;
    lines.push(`Remote access: ${details.remoteAccess.state}${where ? ` (${where})` : ""}.`);
  }
  if (details.storage) lines.push(`Workspace: ${usageText(details.storage.usedBytes, details.storage.quotaBytes)}.`);
  return lines.join("\n");
}

/** What a create started (or would do, in a dry run). */
export function describeCreateStarted(name: string, modules: readonly string[]): string {
  const what = modules.length > 0 ? ` with ${joinWords(modules)}` : "";
  return `Creating ${name}${what}. This can take a few minutes; I'll tell you when it's ready.`;
}

/** A dry-run create plan. */
export function describeCreatePlan(plan: CreatePlan): string {
  const spec = plan.spec;
  const modules = spec.modules.length > 0 ? ` with ${joinWords(spec.modules)}` : "";
  return [
    `Dry run: I would create ${spec.name}${modules} on the ${plan.backend} backend (${spec.resources.cpus} CPU, ${formatSize(spec.resources.memoryBytes)} memory).`,
    ...(plan.idleTimeout === undefined
      ? []
      : [
          plan.idleTimeout === "off"
            ? `It would never be stopped for idleness.`
            : `It would stop after ${plan.idleTimeout} without activity.`,
        ]),
    `Nothing was changed.`,
  ].join("\n");
}

/** A destroy plan and how to confirm it. */
export function describeDestroyPlan(plan: DestroyPlan, expiresAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000));
  const lines = [`Destroy ${plan.workload}?`];
  if (plan.removes.length > 0) lines.push(`This removes ${joinWords(plan.removes)}.`);
  if (plan.keeps.length > 0) lines.push(`Kept: ${joinWords(plan.keeps)}.`);
  lines.push(`Reply "yes" to confirm or "no" to cancel (within ${minutes} minute${minutes === 1 ? "" : "s"}).`);
  return lines.join("\n");
}

/** A change plan in words: every field before → after, and whether it restarts. */
export function describeChangePlan(plan: ChangePlan | undefined): string {
  if (plan === undefined) return "Nothing to change.";
  if (plan.unchanged) return `${plan.workload} already has that; nothing changed.`;
  const fields = plan.changes.map((change) => `${change.field} ${change.before} → ${change.after}`).join("; ");
  return `Change ${plan.workload}: ${fields}.${plan.restart ? ` ${plan.workload} restarts to apply it.` : ""}${plan.notes.length > 0 ? ` (${plan.notes.join("; ")}.)` : ""}`;
}

/** A change that waits for the person's own yes. */
export function describeChangeConfirmation(plan: ChangePlan, expiresAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000));
  const lines = [`${describeChangePlan(plan)}`];
  if (plan.removes.length > 0) lines.push(`This removes ${joinWords(plan.removes)}.`);
  if (plan.keeps.length > 0) lines.push(`Kept: ${joinWords(plan.keeps)}.`);
  lines.push(`Reply "yes" to go ahead or "no" to cancel (within ${minutes} minute${minutes === 1 ? "" : "s"}).`);
  return lines.join("\n");
}

/** The outcome of a finished change. */
export function describeChanged(result: ChangeResult): string {
  return `${result.workload} has its new settings${result.restarted ? " (it restarted)" : ""}: ${result.changes.map((change) => `${change.field} ${change.after}`).join(", ")}.`;
}

/** The outcome of a finished destroy. */
export function describeDestroyed(result: DestroyResult): string {
  const lines = [`${result.workload} is destroyed.`];
  if (result.snapshot)
    lines.push(
      `Its workspace snapshot can be restored until ${result.snapshot.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC ("restore ${result.workload}").`,
    );
  for (const warning of result.warnings) lines.push(`Note: ${warning}`);
  return lines.join("\n");
}

/** Recent log lines, newest last. */
/** The most of a command's output a chat reply shows (the end is kept: it usually matters most). */
const EXEC_OUTPUT_LIMIT = 3000;

/** The outcome of a command run inside a container from the chat. */
export function describeExec(name: string, argv: readonly string[], result: CommandResult): string {
  const output = [result.stdout, result.stderr]
    .filter((part) => part.trim() !== "")
    .join("\n")
    .trimEnd();
  const shown = output.length > EXEC_OUTPUT_LIMIT ? `…${output.slice(-EXEC_OUTPUT_LIMIT)}` : output;
  const status = result.timedOut
    ? "It took too long and was stopped."
    : result.exitCode === 0
      ? "It finished successfully."
      : result.exitCode === null
        ? `It was ended by signal ${result.signal ?? "unknown"}.`
        : `It exited with status ${result.exitCode}.`;
  return [`Ran ${argv.join(" ")} in ${name}. ${status}`, ...(shown === "" ? [] : [shown])].join("\n");
}

export function describeLogs(name: string, entries: readonly LogEntry[]): string {
  if (entries.length === 0) return `${name} has no log lines yet.`;
  return [
    `Last ${entries.length} log line${entries.length === 1 ? "" : "s"} of ${name}:`,
    ...entries.map((entry) => entry.message),
  ].join("\n");
}

function usageText(used: number, quota: number | null): string {
  return quota === null ? `${formatSize(used)} used` : `${formatSize(used)} of ${formatSize(quota)} used`;
}

function minuteUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** Storage usage and snapshots. */
export function describeStorage(report: StorageReport): string {
  const lines = [
    `Storage: ${usageText(report.usage.usedBytes, report.usage.quotaBytes)}${report.quotasEnforced ? "" : " (quota not enforced on this host)"}.`,
  ];
  for (const workspace of report.workspaces)
    lines.push(`• ${workspace.workload}: ${formatSize(workspace.usage.usedBytes)}`);
  // One line per snapshot, with its dates: two snapshots of one name must not read as a duplicate.
  if (report.snapshots.length > 0) lines.push("Restorable:");
  for (const snapshot of report.snapshots)
    lines.push(
      `• ${snapshot.workload}: snapshot of ${minuteUtc(snapshot.createdAt)} UTC, kept until ${minuteUtc(snapshot.expiresAt)} UTC`,
    );
  return lines.join("\n");
}

/** The account and its limits. */
export function describeWhoami(user: UserView): string {
  const limits = user.limits;
  return [
    `You are ${user.id}${user.displayName ? ` (${user.displayName})` : ""}, ${user.role === "admin" ? "an admin" : "a user"}, ${user.status}.`,
    `Limits: ${limits.maxWorkloads} containers, ${limits.cpuBudget} CPUs, ${formatSize(limits.memoryBudgetBytes)} memory, ${formatSize(limits.diskQuotaBytes)} disk. You have ${user.workloads} now.`,
  ].join("\n");
}

/** A short help text listing what to say and the available modules. */
export function describeHelp(modules: readonly ModuleInfo[], greeting = false): string {
  const lines = greeting ? ["Hi! I manage your dev containers. You can say:"] : ["You can say:"];
  lines.push(
    "• create a container called web with git and fish",
    "• list, or status web, or logs web",
    "• stop web, start web, restart web",
    "• destroy web (I ask first), restore web",
    "• run git --version in web",
    "• storage",
  );
  if (modules.length > 0) lines.push(`Modules: ${modules.map((module) => module.name).join(", ")}.`);
  return lines.join("\n");
}
