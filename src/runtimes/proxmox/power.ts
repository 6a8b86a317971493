/**
 * Power changes of one cluster VM: start, a clean shutdown that Proxmox forces after a bounded
 * wait, reboot, and the hard stop a destroy needs (a used disk cannot leave a running VM).
 * Calls (qemu-server `PVE/API2/Qemu.pm`): `GET …/status/current`, `POST …/status/start`,
 * `…/status/shutdown` (`timeout`, `forceStop`), `…/status/reboot`, `…/status/stop`; each
 * change answers a UPID that is waited for.
 *
 * @module
 */
import { z } from "zod";
import type { ProgressListener } from "../../ports/runtime.js";
import { guestPath, settle, type ProxmoxContext } from "./context.js";
import { upidSchema } from "./schemas.js";
import type { ClusterVm } from "./targets.js";

/** How long a stop waits for the guest to power off by itself before Proxmox forces it. */
export const SHUTDOWN_SECONDS = 120;

/** A power change people ask for. */
export type PowerOperation = "start" | "stop" | "restart";

const statusSchema = z.object({ status: z.string() });

/**
 * Brings `vm` to the state `operation` asks for and waits for the task. Starting a running VM
 * and stopping a stopped one succeed without a task; restarting a stopped VM starts it.
 */
export async function changePower(
  ctx: ProxmoxContext,
  vm: ClusterVm,
  operation: PowerOperation,
  onProgress: ProgressListener,
): Promise<void> {
  const current = await ctx.client.get(guestPath(vm.node, vm.vmid, "/status/current"), statusSchema);
  if (operation === "start" && current.status === "running") return;
  if (operation === "stop" && current.status === "stopped") return;
  const verb = operation === "stop" ? "Stopping" : operation === "start" ? "Starting" : "Restarting";
  onProgress({
    type: "step",
    step: operation === "stop" ? "stopping" : "starting",
    message: `${verb} VM ${vm.vmid} on ${vm.node}`,
  });
  const path =
    operation === "start"
      ? "/status/start"
      : operation === "stop"
        ? "/status/shutdown"
        : current.status === "running"
          ? "/status/reboot"
          : "/status/start";
  // A clean shutdown gets up to two minutes (never longer than the task may run), then Proxmox forces it off.
  const params =
    operation === "stop"
      ? {
          timeout: Math.max(10, Math.min(SHUTDOWN_SECONDS, Math.round(ctx.settings.taskTimeoutMs / 1000) - 10)),
          forceStop: true,
        }
      : {};
  await settle(
    ctx,
    await ctx.client.post(guestPath(vm.node, vm.vmid, path), upidSchema, params),
    `${operation} VM ${vm.vmid}`,
    onProgress,
  );
}

/** Powers `vm` off at once (no guest shutdown): used only when the VM is being destroyed anyway. */
export async function stopHard(ctx: ProxmoxContext, vm: ClusterVm, onProgress: ProgressListener): Promise<void> {
  const status = await ctx.client.get(guestPath(vm.node, vm.vmid, "/status/current"), statusSchema);
  if (status.status === "stopped") return;
  onProgress({ type: "step", step: "stopping", message: `Stopping VM ${vm.vmid}` });
  await settle(
    ctx,
    await ctx.client.post(guestPath(vm.node, vm.vmid, "/status/stop"), upidSchema),
    `stop VM ${vm.vmid}`,
    onProgress,
  );
}
