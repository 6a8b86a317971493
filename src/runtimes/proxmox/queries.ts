/**
 * What the runtime reads about VMs: the cluster-wide list (one `GET /cluster/resources?type=vm`),
 * one VM's details (node, VMID, whether voxnix manages it, guest-agent addresses), and its logs:
 * the recent Proxmox task logs (`GET /nodes/{node}/tasks?vmid=N`, then each task's `…/log`;
 * pve-manager `PVE/API2/Tasks.pm`) and, with `proxmox.journalViaAgent`, the guest's journal.
 *
 * @module
 */
import { z } from "zod";
import type { LiveContainer, LiveDetails, LiveState, LogEntry } from "../../ports/runtime.js";
import type { ProxmoxVmidsRepository } from "../../state/proxmox-vmids-repository.js";
import { segment } from "./api-client.js";
import type { ProxmoxContext } from "./context.js";
import { readAgentAddresses } from "./create-vm.js";
import { readJournal } from "./journal.js";
import { isKeeper } from "./kept-disks.js";
import { clusterResourcesSchema, lenientInteger, taskLogSchema, upidSchema } from "./schemas.js";
import type { ProxmoxSettings } from "./settings.js";
import { clusterVms, isOurs, type ClusterVm } from "./targets.js";

/** Whether voxnix created a VM (and may change it) or found it in the cluster. */
export type VmManagement = "managed" | "imported";

/** One VM in the cluster, from the batch `list`. */
export interface LiveVm extends LiveContainer {
  readonly vmid: number;
  readonly node: string;
  readonly management: VmManagement;
}

/** One VM's details, as `show` answers them. */
export type VmDetails = LiveDetails & {
  readonly vmid: number;
  readonly node: string;
  readonly management: VmManagement;
};

const taskListSchema = z.array(
  z.object({ upid: upidSchema, type: z.string(), starttime: lenientInteger, status: z.string().optional() }),
);

/** Every VM in the cluster (templates included), from one `/cluster/resources` call. */
export async function listClusterVms(ctx: ProxmoxContext): Promise<ClusterVm[]> {
  return clusterVms(await ctx.client.get("/cluster/resources", clusterResourcesSchema, { type: "vm" }));
}

/** The VMs people may see (no templates, no keepers), each marked managed or imported. */
export function toLiveVms(ctx: ProxmoxContext, vms: readonly ClusterVm[]): LiveVm[] {
  return vms
    .filter((vm) => !vm.template && !isKeeper(vm, ctx))
    .map((vm) => ({
      name: vm.name,
      state: liveState(vm.status),
      addresses: [],
      vmid: vm.vmid,
      node: vm.node,
      management: managementOf(vm, ctx.ledger, ctx.settings),
    }));
}

/** `vm`'s details; addresses come from the guest agent when it runs (none when it does not answer). */
export async function vmDetails(ctx: ProxmoxContext, vm: ClusterVm, management: VmManagement): Promise<VmDetails> {
  const addresses = vm.status === "running" ? await readAgentAddresses(ctx, vm.node, vm.vmid).catch(() => []) : [];
  return {
    name: vm.name,
    state: liveState(vm.status),
    addresses,
    vmid: vm.vmid,
    node: vm.node,
    management,
    facts: { vmid: String(vm.vmid), node: vm.node, management },
  };
}

/** The VM's recent task logs, oldest first, then (managed, running, `journalViaAgent`) its journal; at most `lines`. */
export async function readVmLogs(
  ctx: ProxmoxContext,
  vm: ClusterVm,
  management: VmManagement,
  lines: number,
): Promise<LogEntry[]> {
  const tasks = await ctx.client.get(`/nodes/${segment(vm.node)}/tasks`, taskListSchema, {
    vmid: vm.vmid,
    limit: 5,
    source: "all",
  });
  const entries: LogEntry[] = [];
  for (const task of [...tasks].sort((a, b) => a.starttime - b.starttime)) {
    const log = await ctx.client.get(`/nodes/${segment(vm.node)}/tasks/${segment(task.upid)}/log`, taskLogSchema, {
      start: 0,
      limit: Math.max(1, lines),
    });
    for (const line of log)
      entries.push({ time: new Date(task.starttime * 1000), unit: `task ${task.type}`, message: line.t });
  }
  // The journal comes last (it is what people usually want); only for VMs voxnix manages.
  if (ctx.settings.journalViaAgent && management === "managed" && vm.status === "running") {
    entries.push(
      ...(await readJournal(ctx, vm.node, vm.vmid, lines).catch((error: unknown) => [
        { unit: "journal", message: `(journal unavailable: ${(error as Error).message})` },
      ])),
    );
  }
  return entries.slice(-lines);
}

/** Proxmox's `status` as a live state. */
export function liveState(status: string): LiveState {
  return status === "running" ? "running" : status === "stopped" ? "stopped" : "unknown";
}

/** Managed when the ledger has a live record of this VMID under this name and the VM is ours. */
export function managementOf(vm: ClusterVm, ledger: ProxmoxVmidsRepository, settings: ProxmoxSettings): VmManagement {
  const record = ledger.get(vm.vmid);
  const live =
    record !== undefined && (record.state === "active" || record.state === "reserved") && record.workload === vm.name;
  return live && isOurs(vm, vm.name, settings.vmidRange, record.state === "active") ? "managed" : "imported";
}
