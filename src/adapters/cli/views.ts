/**
 * Human renderings of the core's results: one function per result type, each returning lines
 * (plans and confirmations are in `plan-views.ts`).
 *
 * @module
 */
import type {
  ChangeResult,
  DestroyResult,
  DoctorReport,
  KeepResult,
  JobView,
  ListResult,
  ReconcileReport,
  HostKeyReport,
  ImportedVmDetails,
  StorageReport,
  UserView,
  WorkloadDetails,
  WorkloadView,
  LogEntry,
  Usage,
} from "../../core/api.js";
import { isImportedVm } from "../../core/api.js";
import { formatSize } from "../../domain/sizes.js";
import { formatDuration } from "../../domain/idle.js";
import { formatTime, renderKeyValue, renderTable } from "./render.js";

/** `ctl list`: one row per workload; unmanaged containers (admins) below. */
export function renderList(result: ListResult): string[] {
  const lines = renderTable(
    ["name", "owner", "status", "live", "modules", "addresses"],
    result.workloads.map((workload) => [
      workload.name,
      workload.owner,
      workload.status,
      workload.live,
      workload.spec.modules.join(",") || "-",
      workload.addresses.join(",") || "-",
    ]),
    "No workloads yet. Create one with `voxnix ctl create <name>`.",
  );
  if (result.unmanaged && result.unmanaged.length > 0) {
    lines.push(
      "",
      "Containers on this host that voxnix does not manage:",
      ...renderTable(
        ["name", "state"],
        result.unmanaged.map((container) => [container.name, container.state]),
      ),
    );
  }
  if (result.imported && result.imported.length > 0) {
    lines.push(
      "",
      "Imported VMs (read-only; voxnix never changes them):",
      ...renderTable(
        ["name", "owner", "vmid", "live", "note"],
        result.imported.map((vm) => [vm.name, vm.owner ?? "-", String(vm.vmid), vm.live, vm.note ?? "-"]),
      ),
    );
  }
  return lines;
}

/** `ctl show`: key/value details of one workload. */
export function renderDetails(details: WorkloadDetails | ImportedVmDetails): string[] {
  if (isImportedVm(details)) return renderImportedDetails(details);
  const facts = Object.entries(details.facts).map(([key, value]) => [`  ${key}`, value] as const);
  return [
    ...renderKeyValue([
      ["name", details.name],
      ["owner", details.owner],
      ["backend", details.backend],
      ["status", details.status],
      ["desired", details.desired],
      ["live", details.live],
      ["since", details.since ? formatTime(details.since) : undefined],
      ["addresses", details.addresses.join(", ") || "-"],
      ["modules", details.spec.modules.join(", ") || "-"],
      ["cpus", details.spec.resources.cpus],
      ["memory", formatSize(details.spec.resources.memoryBytes)],
      ["pids", details.spec.resources.pids],
      [
        "workspace",
        details.spec.workspace.enabled
          ? details.spec.workspace.sizeBytes
            ? formatSize(details.spec.workspace.sizeBytes)
            : "on"
          : "off",
      ],
      ["storage", details.storage ? formatUsage(details.storage) : undefined],
      [
        "remote access",
        details.remoteAccess
          ? [details.remoteAccess.state, details.remoteAccess.hostname, details.remoteAccess.ip]
              .filter(Boolean)
              .join(" ")
          : undefined,
      ],
      ["created", formatTime(details.createdAt)],
      ["idle", details.idle?.summary],
    ]),
    ...(facts.length > 0 ? ["facts:", ...renderKeyValue(facts)] : []),
  ];
}

/** `ctl show` of an imported VM: what the record and the cluster say, and what voxnix may do to it. */
function renderImportedDetails(details: ImportedVmDetails): string[] {
  const facts = Object.entries(details.facts).map(([key, value]) => [`  ${key}`, value] as const);
  return [
    ...renderKeyValue([
      ["name", details.name],
      ["kind", "imported VM (voxnix did not create it)"],
      ["owner", details.owner ?? "-"],
      ["vmid", details.vmid],
      ["live", details.live],
      ["addresses", details.addresses.join(", ") || "-"],
      [
        "allowed",
        details.allowPowerControl
          ? "show, start, stop (allowPowerControl: true)"
          : "show only (start and stop need allowPowerControl: true)",
      ],
      ["note", details.note],
    ]),
    ...(facts.length > 0 ? ["facts:", ...renderKeyValue(facts)] : []),
  ];
}

/** `ctl keep`: what keeps running, and until when if it stays idle. */
export function renderKept(result: KeepResult): string[] {
  return result.kept.map(
    (kept) => `${kept.workload} keeps running${kept.stopsAt ? ` (stops at ${formatTime(kept.stopsAt)} if idle)` : ""}`,
  );
}

/** A workload (or an imported VM) after a lifecycle change (start, stop, restart, create, restore). */
export function renderWorkloadLine(
  workload: Pick<WorkloadView, "name" | "live" | "addresses">,
  verb: string,
): string[] {
  const addresses = workload.addresses.length > 0 ? ` at ${workload.addresses.join(", ")}` : "";
  return [`${workload.name} ${verb} (live: ${workload.live})${addresses}.`];
}

/** The result of a change job. */
export function renderChangeResult(result: ChangeResult): string[] {
  return [
    `${result.workload} changed${result.restarted ? " and restarted" : ""}: ${result.changes.map((change) => `${change.field} ${change.before} → ${change.after}`).join("; ")}.`,
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
}

/** The result of a confirmed destroy. */
export function renderDestroyResult(result: DestroyResult): string[] {
  return [
    `${result.workload} destroyed.`,
    ...(result.snapshot
      ? [
          `${result.snapshot.rootDiskBytes === undefined ? "Its workspace snapshot" : result.snapshot.keptDisk === undefined || result.snapshot.keptDisk === "its root disk" ? "Its root disk and workspace" : `${result.snapshot.keptDisk[0]!.toUpperCase()}${result.snapshot.keptDisk.slice(1)}`} can be restored until ${formatTime(result.snapshot.expiresAt)}: voxnix ctl restore ${result.workload}`,
        ]
      : []),
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
}

/** `ctl logs`. */
export function renderLogs(entries: readonly LogEntry[]): string[] {
  if (entries.length === 0) return ["(no log lines)"];
  return entries.map((entry) =>
    [entry.time ? entry.time.toISOString() : undefined, entry.unit ? `${entry.unit}:` : undefined, entry.message]
      .filter(Boolean)
      .join(" "),
  );
}

/** `ctl host-key`: the key lines first (what people copy), then fingerprints and the age recipients. */
export function renderHostKeys(report: HostKeyReport): string[] {
  const lines: string[] = [];
  for (const key of report.keys) {
    lines.push(`${key.key} ${report.workload}`, `  fingerprint:   ${key.fingerprint}`);
    lines.push(
      key.ageRecipient === undefined
        ? "  age recipient: none (age does not take this key type)"
        : `  age recipient: ${key.ageRecipient}`,
    );
    if (key.nativeAgeRecipient !== undefined) lines.push(`  age1 (X25519): ${key.nativeAgeRecipient}`);
  }
  lines.push(
    "",
    `${report.keys.some((key) => key.ageRecipient !== undefined) ? "An ssh-ed25519 (or ssh-rsa) host key is an age recipient as it is: " : ""}add it to the recipients of the secrets ${report.workload} should read (agenix: publicKeys in secrets.nix, then agenix --rekey; sops 3.10 or later: an age recipient in .sops.yaml, then sops updatekeys; sops-nix and .sops.yaml files that list age1 keys: use the age1 line, which is what ssh-to-age prints).`,
  );
  return lines;
}

/** `ctl storage`. */
export function renderStorage(report: StorageReport): string[] {
  return [
    ...renderKeyValue([
      ["user", report.user],
      ["driver", report.driver],
      ["quotas", report.quotasEnforced ? "enforced" : "not enforced by this driver"],
      ["usage", formatUsage(report.usage)],
    ]),
    "",
    ...renderTable(
      ["workspace", "used", "quota"],
      report.workspaces.map((workspace) => [
        workspace.workload,
        formatSize(workspace.usage.usedBytes),
        nullableSize(workspace.usage.quotaBytes),
      ]),
      "No workspaces.",
    ),
    ...(report.rootDisks.length === 0
      ? []
      : [
          "",
          ...renderTable(
            ["VM root disk", "allocated", "size (held against the quota)"],
            report.rootDisks.map((disk) => [
              disk.workload,
              formatSize(disk.allocatedBytes),
              formatSize(disk.sizeBytes),
            ]),
            "",
          ),
        ]),
    "",
    ...renderTable(
      ["snapshot of", "taken", "restorable until", "root disk"],
      report.snapshots.map((snapshot) => [
        snapshot.workload,
        formatTime(snapshot.createdAt),
        formatTime(snapshot.expiresAt),
        snapshot.rootDiskBytes === undefined ? "-" : formatSize(snapshot.rootDiskBytes),
      ]),
      "No snapshots.",
    ),
  ];
}

/** `ctl job <id>`. */
export function renderJob(job: JobView): string[] {
  return renderKeyValue([
    ["job", job.id],
    ["kind", job.kind],
    ["workload", job.workload],
    ["owner", job.owner],
    ["state", job.state],
    ["progress", job.progress],
    ["error", job.error ? `${job.error.kind}: ${job.error.message}` : undefined],
    ["started", formatTime(job.startedAt)],
    ["ended", job.endedAt ? formatTime(job.endedAt) : undefined],
  ]);
}

/** `doctor`: every check with its fix. */
export function renderDoctor(report: DoctorReport): string[] {
  return [
    `backend: ${report.backend}   storage: ${report.storage}`,
    ...report.checks.flatMap((check) => [
      `${check.ok ? "ok  " : "FAIL"}  ${check.name}: ${check.detail}`,
      ...(!check.ok && check.fix ? [`      fix: ${check.fix}`] : []),
    ]),
    report.ok
      ? "This host can run containers."
      : "This host cannot run containers yet; apply the fixes above (or run `voxnix setup`).",
  ];
}

/** `ctl reconcile`. */
export function renderReconcile(report: ReconcileReport): string[] {
  const startup = report.atStartup;
  const nothing = report.recovered.length === 0 && (startup === undefined || startup.recovered.length === 0);
  return [
    ...(startup && startup.recovered.length > 0
      ? ["Recovered at start-up:", ...startup.recovered.map((item) => `  ${item.workload}: ${item.action}`)]
      : []),
    ...(startup && startup.prunedSnapshots > 0
      ? [`Expired snapshots pruned at start-up: ${startup.prunedSnapshots}`]
      : []),
    ...(startup?.error ? [`Start-up recovery failed: ${startup.error}`] : []),
    ...(report.recovered.length > 0
      ? ["Recovered:", ...report.recovered.map((item) => `  ${item.workload}: ${item.action}`)]
      : nothing
        ? ["Nothing to recover."]
        : ["Nothing more to recover."]),
    ...(report.missing.length > 0 ? [`Missing on the host: ${report.missing.join(", ")}`] : []),
    ...(report.unmanaged.length > 0
      ? [`Not managed by voxnix: ${report.unmanaged.map((container) => container.name).join(", ")}`]
      : []),
    `Expired snapshots pruned: ${report.prunedSnapshots}`,
  ];
}

/** `users list`. */
export function renderUsers(users: readonly UserView[]): string[] {
  return renderTable(
    ["id", "role", "status", "workloads", "disk", "max workloads", "cpu", "memory", "pids", "name"],
    users.map((user) => [
      user.id,
      user.role,
      user.status,
      String(user.workloads),
      formatSize(user.limits.diskQuotaBytes),
      String(user.limits.maxWorkloads),
      String(user.limits.cpuBudget),
      formatSize(user.limits.memoryBudgetBytes),
      String(user.limits.pidsBudget),
      user.displayName ?? "",
    ]),
    "No users yet.",
  );
}

/** One user after approve, deny or limits. */
export function renderUser(user: UserView): string[] {
  return renderKeyValue([
    ["id", user.id],
    ["role", user.role],
    ["status", user.status],
    ["disk quota", formatSize(user.limits.diskQuotaBytes)],
    ["max workloads", user.limits.maxWorkloads],
    ["cpu budget", user.limits.cpuBudget],
    ["memory budget", formatSize(user.limits.memoryBudgetBytes)],
    ["pids budget", user.limits.pidsBudget],
    ["max idle timeout", user.limits.maxIdleTimeoutMs ? formatDuration(user.limits.maxIdleTimeoutMs) : "none"],
    ["workload kind", describeKinds(user.limits)],
    [
      "stopped",
      user.stoppedWorkloads === undefined ? undefined : user.stoppedWorkloads.join(", ") || "nothing was running",
    ],
    ["not stopped", user.stopFailures?.map((failure) => `${failure.workload} (${failure.reason})`).join("; ")],
  ]);
}

/** "containers (default)", "VMs by default", "VMs only". */
function describeKinds(limits: UserView["limits"]): string {
  if (limits.vmOnly === true) return "VMs only";
  return limits.defaultKind === "vm" ? "VMs by default (containers when asked for)" : "containers by default";
}

function formatUsage(usage: Usage): string {
  return `${formatSize(usage.usedBytes)} used of ${nullableSize(usage.quotaBytes)}${usage.availableBytes === null ? "" : `, ${formatSize(usage.availableBytes)} available`}`;
}

function nullableSize(bytes: number | null): string {
  return bytes === null ? "no quota" : formatSize(bytes);
}
