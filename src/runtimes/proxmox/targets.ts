/**
 * Which cluster VM a workload name means, and whether voxnix may change it. A name is
 * *managed* when the ledger has a live VMID for it and the cluster's VM with that VMID still
 * carries the name and the `voxnix` tag; that double check stops voxnix from touching a VM
 * someone recreated under a recorded VMID. A name that only matches a cluster VM outside the
 * ledger is *imported*: shown, never changed, except start and stop when the admin listed its
 * VMID in `proxmox.imports` with `allowPowerControl`. voxnix never changes a VM outside its
 * VMID range, whatever the ledger says.
 *
 * @module
 */
import { ConflictError } from "../../domain/errors.js";
import type { ProxmoxVmidsRepository, VmidRange } from "../../state/proxmox-vmids-repository.js";
import type { ClusterResource } from "./schemas.js";

/** The tag voxnix puts on every VM it creates (Proxmox `tags`, `;`-separated). */
export const VOXNIX_TAG = "voxnix";

/** A cluster VM (a `qemu` entry of `/cluster/resources`). */
export interface ClusterVm {
  readonly vmid: number;
  readonly node: string;
  readonly name: string;
  readonly status: string;
  readonly tags: readonly string[];
  readonly template: boolean;
}

/** The VMs (not templates, not containers) in one `/cluster/resources` answer. */
export function clusterVms(resources: readonly ClusterResource[]): ClusterVm[] {
  return resources
    .filter((resource) => resource.type === "qemu" && resource.vmid !== undefined && resource.node !== undefined)
    .map((resource) => ({
      vmid: resource.vmid!,
      node: resource.node!,
      name: resource.name ?? `VM ${resource.vmid}`,
      status: resource.status ?? "unknown",
      tags: (resource.tags ?? "").split(/[;, ]/).filter((tag) => tag.length > 0),
      template: resource.template === 1,
    }));
}

export type Target =
  | { readonly kind: "managed"; readonly vm: ClusterVm }
  /** The ledger has the name, but the cluster no longer has its VM. */
  | { readonly kind: "missing"; readonly vmid: number }
  | { readonly kind: "imported"; readonly vm: ClusterVm }
  | { readonly kind: "unknown" };

/** Resolves `name` against the ledger and one cluster listing. */
export function resolveTarget(
  name: string,
  vms: readonly ClusterVm[],
  ledger: ProxmoxVmidsRepository,
  range: VmidRange,
): Target {
  const record = ledger.findLive(name);
  if (record !== undefined) {
    const vm = vms.find((candidate) => candidate.vmid === record.vmid);
    if (vm === undefined) return { kind: "missing", vmid: record.vmid };
    // A create still in progress (or cut off) has not tagged its clone yet; the reserved
    // VMID with the name voxnix cloned it under is evidence enough.
    if (isOurs(vm, name, range, record.state === "active")) return { kind: "managed", vm };
    // The VMID is now someone else's VM: it is not ours to touch, whatever the name.
    return { kind: "imported", vm };
  }
  const imported = vms.find(
    (candidate) => !candidate.template && candidate.name === name && !isRecorded(candidate.vmid, ledger),
  );
  return imported ? { kind: "imported", vm: imported } : { kind: "unknown" };
}

/** True when `vm` is the VM voxnix created for `name` (tagged `voxnix` once its create finished). */
export function isOurs(vm: ClusterVm, name: string, range: VmidRange, requireTag = true): boolean {
  return (
    vm.vmid >= range.first &&
    vm.vmid <= range.last &&
    vm.name === name &&
    (!requireTag || vm.tags.includes(VOXNIX_TAG)) &&
    !vm.template
  );
}

function isRecorded(vmid: number, ledger: ProxmoxVmidsRepository): boolean {
  const record = ledger.get(vmid);
  return record !== undefined && (record.state === "active" || record.state === "reserved");
}

/** What a caller wants to do to an imported VM. */
export type ImportedOperation = "start" | "stop" | "restart" | "destroy" | "change";

/** Throws the refusal for `operation` on an imported VM unless the admin allowed it. */
export function assertImportedAllowed(
  vm: ClusterVm,
  operation: ImportedOperation,
  powerControl: ReadonlySet<number>,
): void {
  if ((operation === "start" || operation === "stop") && powerControl.has(vm.vmid)) return;
  const allowed =
    operation === "start" || operation === "stop"
      ? " unless an admin lists its VMID in proxmox.imports with allowPowerControl: true"
      : "";
  throw new ConflictError(
    "wrong-state",
    `"${vm.name}" (VMID ${vm.vmid}) was not created by voxnix: it is imported and read-only, so voxnix will not ${operation} it${allowed}.`,
  );
}
