/**
 * Keeping a destroyed VM's workspace disk for the undo window, and bringing it back on restore.
 *
 * A Proxmox volume cannot outlive the VM that owns it: deleting a VM with `purge` frees every
 * volume its config names. So before the delete, voxnix hands the workspace disk to a *keeper*:
 * an empty VM (no disks, never started) made for this purpose in voxnix's VMID range and pool,
 * named `voxnix-kept-NAME` and tagged `voxnix` and `voxnix-kept`. The disk moves with qemu-server's
 * disk reassignment (`POST /nodes/{node}/qemu/{vmid}/move_disk` with `target-vmid` and
 * `target-disk`, PVE 7.2 and later): the volume is renamed to the keeper's VMID and keeps its
 * data; both VMs must be on the same node and a used disk cannot leave a running VM, so the VM is
 * stopped first. The keeper's VMID comes from the ledger like any other and is never reused.
 *
 * A restore creates the VM on the keeper's node and moves the disk back as the workspace disk
 * instead of allocating a new one; if the restore fails, the disk goes back to the keeper before
 * the half-made VM is deleted, so another restore can still bring it back. When the undo window
 * passes, the core asks for the keeper to be deleted (`discardRootDisk`), and the data with it.
 *
 * This is the Proxmox side of the core's `DestroyOptions.keepRootDisk` / `HostContext.rootDiskRef`:
 * the kept disk's size is counted in the owner's quota until it is restored or pruned.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { HostFailureError } from "../../domain/errors.js";
import type { ProgressListener } from "../../ports/runtime.js";
import { segment } from "./api-client.js";
import { ProxmoxApiError } from "./api-error.js";
import { guestPath, settle, type ProxmoxContext } from "./context.js";
import { clusterResourcesSchema, upidSchema, vmConfigSchema } from "./schemas.js";
import { clusterVms, VOXNIX_TAG, type ClusterVm } from "./targets.js";
import { diskSizeBytes } from "./create-vm.js";

/** A failed restore whose VM kept the disk because it could not be moved back: that VM must not be deleted. */
export class KeptDiskStuckError extends HostFailureError {}

/** The tag a keeper VM carries besides `voxnix`; listings leave keepers out. */
export const KEPT_TAG = "voxnix-kept";
/** The config key a kept disk has on its keeper. */
const KEEPER_DISK = "unused0";

/** The Proxmox name of the keeper of `workload`'s disk (a valid DNS label: workload names are short). */
export function keeperName(workload: string): string {
  return `voxnix-kept-${workload}`;
}

/** The ledger label of a keeper: unique per keep, so one name can have several kept disks. */
function keeperLabel(workload: string): string {
  return `kept:${workload}:${randomBytes(4).toString("hex")}`;
}

/** Whether a cluster VM is one of voxnix's keepers (never shown as a workload or an import). */
export function isKeeper(vm: ClusterVm, context: Pick<ProxmoxContext, "settings">): boolean {
  const { first, last } = context.settings.vmidRange;
  return vm.vmid >= first && vm.vmid <= last && vm.tags.includes(KEPT_TAG) && vm.tags.includes(VOXNIX_TAG);
}

/** The ref recorded with the core's snapshot: the keeper's VMID. */
export function keptRef(vmid: number): string {
  return `keeper:${vmid}`;
}

function parseRef(ref: string): number | undefined {
  const match = /^keeper:(\d{3,9})$/.exec(ref);
  return match ? Number(match[1]) : undefined;
}

/**
 * Moves the workspace disk of the stopped VM `vm` to a new keeper on its node. Returns the ref,
 * or undefined when the VM has no workspace disk. On failure nothing is left but a released VMID.
 */
export async function keepWorkspaceDisk(
  context: ProxmoxContext,
  vm: ClusterVm,
  workload: string,
  snapshot: string,
  onProgress: ProgressListener,
): Promise<{ ref: string; bytes: number } | undefined> {
  const { client, settings, allocator, ledger, clock } = context;
  const config = await client.get(guestPath(vm.node, vm.vmid, "/config"), vmConfigSchema);
  const drive = config[settings.workspaceDisk];
  if (typeof drive !== "string") return undefined;
  onProgress({
    type: "step",
    step: "snapshotting",
    message: `Keeping the workspace disk of ${workload} for the undo window`,
  });
  const keeper = await allocator.allocate(keeperLabel(workload));
  try {
    const created = await client.post(`/nodes/${segment(vm.node)}/qemu`, upidSchema, {
      vmid: keeper,
      name: keeperName(workload),
      pool: settings.pool,
      tags: `${VOXNIX_TAG};${KEPT_TAG}`,
      memory: 64,
      cores: 1,
      description: `Holds the workspace disk of the voxnix VM "${workload}" (VMID ${vm.vmid}) for its undo window (snapshot ${snapshot}). voxnix deletes it when the window passes; do not start it.`,
    });
    await settle(context, created, `create the keeper VM ${keeper}`, onProgress);
  } catch (error) {
    ledger.release(keeper, "keeper create failed", clock.now());
    throw error;
  }
  try {
    await moveDisk(context, vm.node, vm.vmid, settings.workspaceDisk, keeper, KEEPER_DISK, onProgress);
  } catch (error) {
    await deleteKeeper(context, vm.node, keeper).catch(() => undefined);
    throw error;
  }
  ledger.activate(keeper, clock.now());
  context.logger.info({ workload, vmid: vm.vmid, keeper, node: vm.node }, "proxmox workspace disk kept");
  return { ref: keptRef(keeper), bytes: diskSizeBytes(drive) ?? 0 };
}

/** A keeper found in the cluster for a restore of `workload`. */
export interface Keeper {
  readonly vmid: number;
  readonly node: string;
  /** The config key holding the kept disk. */
  readonly disk: string;
}

/** Finds the keeper a ref names and checks it is voxnix's keeper of `workload`'s disk. */
export async function findKeeper(context: ProxmoxContext, ref: string, workload: string): Promise<Keeper> {
  const vmid = parseRef(ref);
  const gone = (why: string) =>
    new HostFailureError(
      `The kept workspace disk of "${workload}" cannot be brought back: ${why}. Nothing was changed.`,
      `ref ${ref}`,
    );
  if (vmid === undefined) throw gone("its record is not one this runtime made");
  const record = context.ledger.get(vmid);
  if (record === undefined || record.state !== "active" || !(record.workload ?? "").startsWith(`kept:${workload}:`))
    throw gone(`VMID ${vmid} is not a keeper voxnix holds for it`);
  const vm = clusterVms(await context.client.get("/cluster/resources", clusterResourcesSchema, { type: "vm" })).find(
    (candidate) => candidate.vmid === vmid,
  );
  if (vm === undefined) throw gone(`its keeper VM ${vmid} is no longer in the cluster`);
  if (!isKeeper(vm, context) || vm.name !== keeperName(workload)) throw gone(`VM ${vmid} is no longer voxnix's keeper`);
  if (vm.status === "unknown") throw gone(`node ${vm.node}, which holds it, is offline; try again when it is back`);
  const config = await context.client.get(guestPath(vm.node, vmid, "/config"), vmConfigSchema);
  const disk = [KEEPER_DISK, ...Object.keys(config).filter((key) => /^unused\d+$/.test(key))].find(
    (key) => typeof config[key] === "string",
  );
  if (disk === undefined) throw gone(`its keeper VM ${vmid} holds no disk`);
  return { vmid, node: vm.node, disk };
}

/** Moves the kept disk into the new VM `vmid` as its workspace disk. */
export async function reattachKeptDisk(
  context: ProxmoxContext,
  keeper: Keeper,
  vmid: number,
  onProgress: ProgressListener,
): Promise<void> {
  onProgress({ type: "step", step: "restoring", message: `Bringing back the workspace disk from VM ${keeper.vmid}` });
  await moveDisk(context, keeper.node, keeper.vmid, keeper.disk, vmid, context.settings.workspaceDisk, onProgress);
}

/** Moves the workspace disk of `vmid` back to its keeper (a failed restore's undo). */
export async function returnKeptDisk(context: ProxmoxContext, keeper: Keeper, vmid: number): Promise<void> {
  await moveDisk(context, keeper.node, vmid, context.settings.workspaceDisk, keeper.vmid, keeper.disk, () => undefined);
}

/** Deletes a keeper VM with what it holds, and releases its VMID for good. A keeper already gone succeeds. */
export async function discardKeeper(context: ProxmoxContext, ref: string): Promise<void> {
  const vmid = parseRef(ref);
  if (vmid === undefined) return;
  const record = context.ledger.get(vmid);
  if (record === undefined || !(record.workload ?? "").startsWith("kept:") || record.state === "released") return;
  const vm = clusterVms(await context.client.get("/cluster/resources", clusterResourcesSchema, { type: "vm" })).find(
    (candidate) => candidate.vmid === vmid,
  );
  // Only voxnix's own keeper is deleted, whatever the ledger says.
  if (vm !== undefined && isKeeper(vm, context)) await deleteKeeper(context, vm.node, vmid);
  else
    context.ledger.release(
      vmid,
      vm === undefined ? "keeper already gone" : "keeper VMID now holds another VM; left alone",
      context.clock.now(),
    );
}

/** Deletes a (stopped, empty or holding) keeper VM and releases its VMID. */
export async function deleteKeeper(context: ProxmoxContext, node: string, vmid: number): Promise<void> {
  const { client } = context;
  try {
    const upid = await client.delete(guestPath(node, vmid), upidSchema, {
      purge: true,
      "destroy-unreferenced-disks": true,
    });
    await settle(context, upid, `delete the keeper VM ${vmid}`);
  } catch (error) {
    if (!(error instanceof ProxmoxApiError && /does not exist/i.test(error.pveMessage))) throw error;
  }
  context.ledger.release(vmid, "keeper deleted", context.clock.now());
}

async function moveDisk(
  context: ProxmoxContext,
  node: string,
  from: number,
  disk: string,
  to: number,
  targetDisk: string,
  onProgress: ProgressListener,
): Promise<void> {
  const upid = await context.client.post(guestPath(node, from, "/move_disk"), upidSchema, {
    disk,
    "target-vmid": to,
    "target-disk": targetDisk,
  });
  await settle(context, upid, `move disk ${disk} of VM ${from} to ${targetDisk} of VM ${to}`, onProgress);
}
