/**
 * The VM spec the Proxmox runtime receives. Until `src/domain/vm-spec.ts` lands on main (it is
 * being written for the QEMU runtime), this mirrors its `VmSpec` field for field, so the
 * switch is an import change: the core validates; this runtime only trusts the shape.
 *
 * @module
 */
import type { WorkloadName } from "../../domain/names.js";

/** A validated VM spec (see the note above: identical to `VmSpec` in `src/domain/vm-spec.ts`). */
export interface VmSpec {
  readonly kind: "vm";
  readonly name: WorkloadName;
  /** Virtual CPUs, a whole number. */
  readonly cpus: number;
  /** Guest memory in bytes, a whole number of MiB. */
  readonly memoryBytes: number;
  /** Size of the root disk in bytes, a whole number of MiB. */
  readonly diskBytes: number;
  /** Size of the workspace disk in bytes (not yet provisioned on Proxmox; see docs/proxmox.md). */
  readonly workspaceBytes: number;
  /** The owner's SSH public keys, one validated `type base64 [comment]` line each. */
  readonly sshKeys: readonly string[];
}
