/**
 * The dry run of a create: the API calls `createVm` would make, in order, after reading the
 * cluster once to pick the template and the node. Changes nothing.
 *
 * @module
 */
import type { RuntimePlan } from "../../ports/runtime.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import type { ProxmoxContext } from "./context.js";
import { allowedNodesFor, chooseTemplate } from "./create-vm.js";
import { choosePlacement } from "./placement.js";
import { clusterResourcesSchema } from "./schemas.js";
import { clusterVms } from "./targets.js";

/** The calls a create of `spec` would make (the VMID is allocated only by the real create). */
export async function planCreate(ctx: ProxmoxContext, spec: VmSpec): Promise<RuntimePlan> {
  const { settings } = ctx;
  const resources = await ctx.client.get("/cluster/resources", clusterResourcesSchema);
  const templateId = chooseTemplate(settings, spec);
  const template = clusterVms(resources).find((vm) => vm.vmid === templateId);
  const placement = choosePlacement(resources, {
    memoryBytes: spec.memoryBytes,
    allowedNodes: allowedNodesFor(settings, spec),
    strategy: settings.placement,
  });
  const newid = `<next VMID in ${settings.vmidRange.first}-${settings.vmidRange.last}>`;
  const templateNode = template?.node ?? "<template node>";
  const guest = `/nodes/${placement.node}/qemu/${newid}`;
  return {
    artifacts: [],
    commands: [
      ["GET", `/cluster/nextid?vmid=${newid}`],
      [
        "POST",
        `/nodes/${templateNode}/qemu/${templateId}/clone`,
        `newid=${newid}`,
        `name=${spec.name}`,
        ...(templateNode === placement.node ? [] : [`target=${placement.node}`]),
      ],
      [
        "POST",
        `${guest}/config`,
        `cores=${spec.cpus}`,
        `memory=${Math.ceil(spec.memoryBytes / 1024 ** 2)}`,
        `ciuser=${settings.ciUser}`,
        `ipconfig0=${settings.ipConfig}`,
        `sshkeys=<${spec.sshKeys.length} key(s)>`,
      ],
      ["PUT", `${guest}/resize`, `disk=${settings.disk}`, `size=${Math.ceil(spec.diskBytes / 1024 ** 2)}M`],
      [
        "POST",
        `${guest}/config`,
        `${settings.workspaceDisk}=${settings.workspaceStorage ?? "<root disk's storage>"}:${Math.ceil(spec.workspaceBytes / 1024 ** 2) / 1024},backup=1,discard=on`,
      ],
      ["POST", `${guest}/status/start`],
    ],
  };
}
