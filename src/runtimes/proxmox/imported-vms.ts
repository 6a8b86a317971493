/**
 * What the runtime does for imported VMs (cluster VMs voxnix did not create, recorded from a
 * definitions file's `imported` entries): show them, and start or stop them once the core has
 * decided the entry allows it (`allowPowerControl`). The VM is found by its recorded VMID and
 * must still carry the recorded name: a VMID that now holds another VM, a template, a keeper
 * or a VM voxnix manages is refused, so a stale record can never reach someone else's VM.
 * Nothing else (config, disks, delete) is ever done here.
 *
 * @module
 */
import { ConflictError, HostFailureError } from "../../domain/errors.js";
import type { ImportedVmControl, ImportedVmRef } from "../../ports/runtime.js";
import type { ProxmoxContext } from "./context.js";
import { isKeeper } from "./kept-disks.js";
import { changePower } from "./power.js";
import { listClusterVms, managementOf, vmDetails } from "./queries.js";
import type { ClusterVm } from "./targets.js";

/** The runtime's `importedVms`, over the lazily built context. */
export function importedVmControl(
  context: () => Promise<ProxmoxContext>,
  powerControlImports: ReadonlySet<number>,
): ImportedVmControl {
  return {
    async show(ref) {
      const ctx = await context();
      const vm = (await listClusterVms(ctx)).find((candidate) => candidate.vmid === ref.vmid);
      if (
        vm === undefined ||
        vm.name !== ref.name ||
        vm.template ||
        isKeeper(vm, ctx) ||
        managementOf(vm, ctx.ledger, ctx.settings) === "managed"
      )
        return undefined;
      return vmDetails(ctx, vm, "imported");
    },
    powerAllowedByConfig: (vmid) => powerControlImports.has(vmid),
    async power(ref, operation, { onProgress }) {
      const ctx = await context();
      const vm = requireImported(ctx, ref, operation, await listClusterVms(ctx));
      await changePower(ctx, vm, operation, onProgress);
      ctx.logger.info({ vm: ref.name, vmid: ref.vmid, node: vm.node, operation }, "proxmox imported vm power change");
    },
  };
}

// The VM at the recorded VMID, if it is still the imported VM the record names.
function requireImported(
  ctx: ProxmoxContext,
  ref: ImportedVmRef,
  operation: string,
  vms: readonly ClusterVm[],
): ClusterVm {
  const vm = vms.find((candidate) => candidate.vmid === ref.vmid);
  if (vm === undefined)
    throw new HostFailureError(
      `The imported VM "${ref.name}" (VMID ${ref.vmid}) is not in the Proxmox cluster any more (or the token cannot see it).`,
    );
  const refuse = (why: string) =>
    new ConflictError(
      "wrong-state",
      `voxnix will not ${operation} VMID ${ref.vmid}: ${why} Check the imported entry in the definitions file.`,
    );
  if (vm.name !== ref.name)
    throw refuse(`it is now called "${vm.name}" in the cluster, not "${ref.name}" as the imported entry says.`);
  if (vm.template) throw refuse("it is a template.");
  if (isKeeper(vm, ctx) || managementOf(vm, ctx.ledger, ctx.settings) === "managed")
    throw refuse("it is a VM voxnix created, not an imported one.");
  return vm;
}
