/**
 * Destroying a managed VM: a `vzdump` backup first when the admin configured one
 * (`POST /nodes/{node}/vzdump` with `vmid`, `storage`, `mode`, `compress` → UPID; pve-manager
 * `PVE/API2/VZDump.pm`), then, for the core's undo window, a hard stop and the workspace disk
 * handed to a keeper VM (`kept-disks.ts`), then the delete with its disks; the VMID is released
 * in the ledger for good (never reused).
 *
 * @module
 */
import type { DestroyReport, ProgressListener } from "../../ports/runtime.js";
import { segment } from "./api-client.js";
import { settle, type ProxmoxContext } from "./context.js";
import { removeVm } from "./create-vm.js";
import { keepWorkspaceDisk } from "./kept-disks.js";
import { stopHard } from "./power.js";
import { upidSchema } from "./schemas.js";
import type { ClusterVm } from "./targets.js";

/** Backs up (when configured), keeps the workspace disk (with `keepRootDisk`, the core's snapshot id), deletes `vm` and releases its VMID. */
export async function destroyVm(
  ctx: ProxmoxContext,
  vm: ClusterVm,
  name: string,
  options: { readonly onProgress: ProgressListener; readonly keepRootDisk?: string },
): Promise<DestroyReport> {
  const { settings, ledger, clock, logger } = ctx;
  const { onProgress } = options;
  if (settings.backupStorage !== undefined) {
    onProgress({
      type: "step",
      step: "snapshotting",
      message: `Backing up VM ${vm.vmid} to ${settings.backupStorage}`,
    });
    const upid = await ctx.client.post(`/nodes/${segment(vm.node)}/vzdump`, upidSchema, {
      vmid: vm.vmid,
      storage: settings.backupStorage,
      mode: "snapshot",
      compress: "zstd",
    });
    await settle(ctx, upid, `back up VM ${vm.vmid}`, onProgress);
  }
  // The core's "keep the root disk for the undo window": on Proxmox what is worth keeping is the
  // workspace disk (the root is a template clone), kept in a keeper VM (kept-disks.ts).
  let kept: { ref: string; bytes: number } | undefined;
  if (options.keepRootDisk !== undefined) {
    // A used disk cannot leave a running VM; the VM is going anyway.
    await stopHard(ctx, vm, onProgress);
    kept = await keepWorkspaceDisk(ctx, vm, name, options.keepRootDisk, onProgress);
  }
  await removeVm(ctx, vm.node, vm.vmid, onProgress);
  ledger.release(vm.vmid, "destroyed", clock.now());
  logger.info({ workload: name, vmid: vm.vmid, node: vm.node, kept: kept?.ref }, "proxmox vm destroyed");
  return { warnings: [], ...(kept ? { keptRootDisk: kept } : {}) };
}
