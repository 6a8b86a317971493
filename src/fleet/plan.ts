/**
 * What applying a definitions file would do, worked out from the file and the core's own view
 * (an admin's `list`): which VMs would be created, which already match, which differ, which
 * cannot be applied (a name held by someone else or by a container), which imported VMs are
 * documented, and which voxnix VMs the file does not mention. Reading only: planning never
 * changes anything, so `voxnix proxmox plan` is safe to run at any time.
 *
 * Decisions (docs/proxmox.md, "The definitions file"):
 * - A VM the file does not mention is left alone. The file describes the VMs an admin keeps;
 *   people also make VMs by chat, and a missing line must never destroy someone's machine.
 * - A VM that exists but differs from its entry (CPUs, memory, disks) is reported and left
 *   alone: voxnix does not reshape a running VM, and recreating it would lose its disks.
 * - Imported VMs are shown as "imported, read-only" and never touched.
 *
 * @module
 */
import type { ListResult, WorkloadView } from "../core/api.js";
import { formatSize, parseSize } from "../domain/sizes.js";
import type { VmSpec } from "../domain/vm-spec.js";
import { vmInputOf, type Definitions, type ImportedVmDefinition, type ManagedVmDefinition } from "./definitions.js";

export type PlanStep =
  | {
      readonly action: "create";
      readonly name: string;
      readonly owner: string;
      readonly line: number;
      readonly summary: string;
    }
  | { readonly action: "unchanged"; readonly name: string; readonly owner: string; readonly line: number }
  /** Exists, but not as the file says; left alone. */
  | {
      readonly action: "differs";
      readonly name: string;
      readonly owner: string;
      readonly line: number;
      readonly differences: readonly string[];
    }
  /** Cannot be applied: apply refuses the whole file while any step is a conflict. */
  | {
      readonly action: "conflict";
      readonly name: string;
      readonly owner: string;
      readonly line: number;
      readonly reason: string;
    }
  | {
      readonly action: "imported";
      readonly name: string;
      readonly vmid: number;
      readonly line: number;
      readonly present: boolean;
      readonly owner?: string;
      readonly allowPowerControl: boolean;
    }
  /** A voxnix VM on the cluster that the file does not list; left alone. */
  | { readonly action: "unlisted"; readonly name: string; readonly owner: string };

export interface DefinitionsPlan {
  readonly file: string;
  readonly steps: readonly PlanStep[];
  /** Counts by action, for one-line summaries. */
  readonly counts: Readonly<Record<PlanStep["action"], number>>;
}

/** The runtime name VMs on Proxmox are recorded under. */
export const PROXMOX_RUNTIME = "proxmox";

/** Plans `definitions` against an admin's listing (workloads plus the cluster's unmanaged VMs). */
export function planDefinitions(definitions: Definitions, listing: ListResult): DefinitionsPlan {
  const byName = new Map(listing.workloads.map((workload) => [workload.name, workload]));
  const steps: PlanStep[] = [];
  for (const vm of definitions.vms) steps.push(planManaged(vm, byName.get(vm.name)));
  for (const vm of definitions.imported) steps.push(planImported(vm, listing, byName.get(vm.name)));
  const listed = new Set([...definitions.vms, ...definitions.imported].map((vm) => vm.name));
  for (const workload of listing.workloads) {
    if (workload.backend === PROXMOX_RUNTIME && !listed.has(workload.name))
      steps.push({ action: "unlisted", name: workload.name, owner: workload.owner });
  }
  const counts = { create: 0, unchanged: 0, differs: 0, conflict: 0, imported: 0, unlisted: 0 };
  for (const step of steps) counts[step.action] += 1;
  return { file: definitions.file, steps, counts };
}

function planManaged(vm: ManagedVmDefinition, existing: WorkloadView | undefined): PlanStep {
  const base = { name: vm.name, owner: vm.owner, line: vm.line };
  if (existing === undefined) return { action: "create", ...base, summary: describeWanted(vm) };
  if (existing.owner !== vm.owner)
    return {
      action: "conflict",
      ...base,
      reason: `"${vm.name}" already exists and belongs to someone else (${existing.owner}); rename the entry or change its owner.`,
    };
  if (existing.spec.kind !== "vm")
    return { action: "conflict", ...base, reason: `"${vm.name}" is a container, not a VM; rename the entry.` };
  if (existing.backend !== PROXMOX_RUNTIME)
    return {
      action: "conflict",
      ...base,
      reason: `"${vm.name}" is a VM on the ${existing.backend} runtime, not on Proxmox.`,
    };
  const differences = compare(vm, existing.spec);
  return differences.length === 0 ? { action: "unchanged", ...base } : { action: "differs", ...base, differences };
}

function planImported(vm: ImportedVmDefinition, listing: ListResult, clash: WorkloadView | undefined): PlanStep {
  if (clash !== undefined) {
    return {
      action: "conflict",
      name: vm.name,
      owner: vm.owner ?? "",
      line: vm.line,
      reason: `"${vm.name}" is listed as imported, but it is a VM voxnix manages (owner ${clash.owner}); list it under vms instead.`,
    };
  }
  const present = (listing.unmanaged ?? []).some((entry) => entry.name === vm.name);
  return {
    action: "imported",
    name: vm.name,
    vmid: vm.vmid,
    line: vm.line,
    present,
    allowPowerControl: vm.allowPowerControl,
    ...(vm.owner ? { owner: vm.owner } : {}),
  };
}

// Only what the entry states is compared; unstated fields take whatever defaults were used.
function compare(vm: ManagedVmDefinition, spec: VmSpec): string[] {
  const differences: string[] = [];
  if (vm.cpus !== undefined && vm.cpus !== spec.cpus) differences.push(`cpus ${spec.cpus} → ${vm.cpus}`);
  const sizes: [string, number | undefined, number][] = [
    ["memory", vm.memory, spec.memoryBytes],
    ["disk", vm.disk, spec.diskBytes],
    ["workspace", vm.workspace, spec.workspaceBytes],
  ];
  for (const [field, wanted, actual] of sizes)
    if (wanted !== undefined && wanted !== actual)
      differences.push(`${field} ${formatSize(actual)} → ${formatSize(wanted)}`);
  if (vm.node !== "auto" && spec.cluster?.node !== undefined && spec.cluster.node !== vm.node)
    differences.push(`node ${spec.cluster.node} → ${vm.node}`);
  if (vm.template !== undefined && (spec.cluster?.template ?? undefined) !== vm.template)
    differences.push(`template ${spec.cluster?.template ?? "default"} → ${vm.template}`);
  const keys = [...spec.sshKeys].sort().join("\n");
  if (vm.sshKeys.length > 0 && [...new Set(vm.sshKeys.map((key) => key.trim()))].sort().join("\n") !== keys)
    differences.push("ssh keys differ");
  return differences;
}

function describeWanted(vm: ManagedVmDefinition): string {
  const input = vmInputOf(vm);
  const parts = [
    input.cpus !== undefined ? `${input.cpus} CPU` : undefined,
    input.memory !== undefined ? `${formatSize(sizeOf(input.memory))} memory` : undefined,
    input.disk !== undefined ? `${formatSize(sizeOf(input.disk))} disk` : undefined,
    input.workspace !== undefined ? `${formatSize(sizeOf(input.workspace))} workspace` : undefined,
    vm.node !== "auto" ? `on ${vm.node}` : undefined,
    vm.template !== undefined ? `from template ${vm.template}` : undefined,
    vm.nixos ? "then NixOS" : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(", ") : "defaults";
}

function sizeOf(value: string | number): number {
  return typeof value === "number" ? value : (parseSize(value) ?? 0);
}

/** Human lines for a plan. */
export function renderDefinitionsPlan(plan: DefinitionsPlan): string[] {
  const lines = [`Plan for ${plan.file}:`];
  for (const step of plan.steps) {
    switch (step.action) {
      case "create":
        lines.push(`  + create   ${step.name} for ${step.owner} (${step.summary})`);
        break;
      case "unchanged":
        lines.push(`  = ok       ${step.name} (${step.owner})`);
        break;
      case "differs":
        lines.push(
          `  ~ differs  ${step.name} (${step.owner}): ${step.differences.join(", ")}; left alone (voxnix does not reshape an existing VM)`,
        );
        break;
      case "conflict":
        lines.push(`  ! conflict ${step.name} (line ${step.line}): ${step.reason}`);
        break;
      case "imported":
        lines.push(
          `  · imported ${step.name} (VMID ${step.vmid}${step.owner ? `, ${step.owner}` : ""}): imported, ${step.allowPowerControl ? "start and stop only (allowPowerControl)" : "read-only"}${step.present ? "" : "; not found in the cluster"}`,
        );
        break;
      case "unlisted":
        lines.push(`  · unlisted ${step.name} (${step.owner}): not in the file; left alone`);
        break;
    }
  }
  const { create, unchanged, differs, conflict, imported, unlisted } = plan.counts;
  lines.push(
    `${create} to create, ${unchanged} unchanged, ${differs} differ (left alone), ${imported} imported (read-only), ${unlisted} not in the file (left alone)${conflict > 0 ? `, ${conflict} conflict(s): apply will refuse` : ""}.`,
  );
  if (create === 0 && conflict === 0) lines.push("Nothing to do.");
  return lines;
}
