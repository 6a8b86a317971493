/**
 * Allocating a VMID: the ledger reserves the next never-used ID in voxnix's range under the
 * database lock, then Proxmox is asked to confirm it is free with `GET /cluster/nextid?vmid=N`
 * ("Pass a VMID to assert that its free (at time of check)"; it answers 400 with
 * `errors.vmid = "VM N already exists"` otherwise — pve-manager `PVE/API2/Cluster.pm`). An ID
 * in use outside voxnix is recorded as `taken` and the next one is tried. The confirmation is
 * only a moment's truth: the clone that follows can still find the ID taken, and the runtime
 * then calls `skipTaken` and allocates again.
 *
 * @module
 */
import { HostFailureError } from "../../domain/errors.js";
import type { Clock } from "../../ports/clock.js";
import type { Logger } from "../../ports/logger.js";
import type { ProxmoxVmidsRepository, VmidRange } from "../../state/proxmox-vmids-repository.js";
import type { ProxmoxClient } from "./api-client.js";
import { isVmidTaken } from "./api-error.js";
import { nextIdSchema } from "./schemas.js";

/** How many IDs one allocation may find taken before giving up (a foreign tool filling the range). */
export const MAX_TAKEN_PER_ALLOCATION = 20;

export interface VmidAllocator {
  /** Reserves a confirmed-free VMID for `workload`. */
  allocate(workload: string): Promise<number>;
  /** Records that `vmid` turned out to be in use outside voxnix (e.g. the clone said "already exists"). */
  skipTaken(vmid: number, note: string): void;
}

export function createVmidAllocator(deps: {
  client: ProxmoxClient;
  ledger: ProxmoxVmidsRepository;
  range: VmidRange;
  clock: Clock;
  logger: Logger;
}): VmidAllocator {
  const { client, ledger, range, clock, logger } = deps;
  return {
    async allocate(workload) {
      for (let attempt = 0; attempt < MAX_TAKEN_PER_ALLOCATION; attempt += 1) {
        const vmid = ledger.reserveNext(range, workload, clock.now());
        if (vmid === undefined) {
          throw new HostFailureError(
            `voxnix has used every VMID in its range (${range.first}–${range.last}); an admin must widen proxmox.vmidRange.`,
            "IDs are never reused, so a range is used up after as many creates as it holds.",
          );
        }
        try {
          await client.get("/cluster/nextid", nextIdSchema, { vmid });
          logger.info({ vmid, workload }, "vmid allocated");
          return vmid;
        } catch (error) {
          if (isVmidTaken(error)) {
            ledger.markTaken(vmid, "in use outside voxnix (cluster/nextid)", clock.now());
            logger.warn({ vmid }, "vmid in voxnix's range is used outside voxnix; skipped");
            continue;
          }
          ledger.release(vmid, "allocation failed before use", clock.now());
          throw error;
        }
      }
      throw new HostFailureError(
        `Proxmox reported ${MAX_TAKEN_PER_ALLOCATION} VMIDs in a row in voxnix's range as taken; something else is creating VMs there.`,
        `range ${range.first}–${range.last}`,
      );
    },
    skipTaken(vmid, note) {
      ledger.markTaken(vmid, note, clock.now());
    },
  };
}
