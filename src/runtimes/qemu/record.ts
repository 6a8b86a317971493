/**
 * A VM's record (`vm.json`): what voxnix decided when it created the VM (spec, SSH port,
 * accelerator, base image), read back by every later call. Written by voxnix only; a VM
 * folder without one is not a VM.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { NotFoundError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import { vmPaths, type QemuPaths, type VmPaths } from "./paths.js";
import type { Accelerator } from "./qemu-argv.js";

/** What `vm.json` records. Written by voxnix only. */
export interface VmRecord {
  readonly spec: VmSpec;
  readonly sshPort: number;
  readonly accelerator: Accelerator;
  readonly acceleratorReason: string;
  readonly baseDisk: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly workspace: string;
  readonly createdAt: string;
}

export function readRecord(paths: VmPaths): VmRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths.metadata, "utf8")) as VmRecord;
  } catch {
    return undefined;
  }
}

/** The files and record of an existing VM, or `NotFoundError`. */
export function existingVm(
  paths: QemuPaths,
  name: WorkloadName,
): { readonly files: VmPaths; readonly record: VmRecord } {
  const files = vmPaths(paths, name);
  const record = readRecord(files);
  if (record === undefined) throw new NotFoundError("workload", name);
  return { files: { ...files, workspace: record.workspace }, record };
}
