/**
 * What the runtime's operations share: settings, the API client, the ledger and its
 * allocator, and small helpers for guest paths and task waits.
 *
 * @module
 */
import type { Clock } from "../../ports/clock.js";
import type { ProgressListener } from "../../ports/runtime.js";
import type { Logger } from "../../ports/logger.js";
import type { ProxmoxVmidsRepository } from "../../state/proxmox-vmids-repository.js";
import { segment, type ProxmoxClient } from "./api-client.js";
import type { ProxmoxSettings } from "./settings.js";
import { waitForTask } from "./tasks.js";
import type { VmidAllocator } from "./vmid-allocator.js";

export interface ProxmoxContext {
  readonly settings: ProxmoxSettings;
  readonly client: ProxmoxClient;
  readonly ledger: ProxmoxVmidsRepository;
  readonly allocator: VmidAllocator;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Interval between task and guest-agent polls. */
  readonly pollMs: number;
}

/** `/nodes/{node}/qemu/{vmid}` with both segments encoded. */
export function guestPath(node: string, vmid: number, rest = ""): string {
  return `/nodes/${segment(node)}/qemu/${segment(vmid)}${rest}`;
}

/** Waits for `upid` (when the call answered one), forwarding task log lines as progress. */
export async function settle(
  context: ProxmoxContext,
  upid: string | null | undefined,
  what: string,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
): Promise<void> {
  if (typeof upid !== "string") return;
  await waitForTask(context.client, upid, {
    what,
    timeoutMs: context.settings.taskTimeoutMs,
    pollMs: context.pollMs,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onLogLine: (line: string) => onProgress({ type: "log", line }) } : {}),
  });
}
