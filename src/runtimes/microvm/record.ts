/**
 * What voxnix keeps about one microvm (`record.json`, written by voxnix only) and how a VM is
 * looked up by name: a VM without a record is not one of voxnix's.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { NotFoundError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import type { SshTarget } from "../../host/guest-ssh.js";
import { microvmVmPaths, type MicrovmPaths, type MicrovmVmPaths } from "./paths.js";

/** What `record.json` keeps. Written by voxnix only. */
export interface MicrovmRecord {
  readonly spec: VmSpec;
  readonly sshPort: number;
  readonly workspace: string;
  readonly createdAt: string;
}

/** A JSON file voxnix wrote, or undefined when it is missing or unreadable. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The VM's files and record; `NotFoundError` when voxnix has no record of it. */
export function existingVm(
  paths: MicrovmPaths,
  name: WorkloadName,
): { readonly files: MicrovmVmPaths; readonly record: MicrovmRecord } {
  const files = microvmVmPaths(paths, name);
  const record = readJson<MicrovmRecord>(files.record);
  if (record === undefined) throw new NotFoundError("workload", name);
  return { files: { ...files, workspace: record.workspace }, record };
}

/** The pinned-key SSH target of a VM (its forwarded port on 127.0.0.1). */
export function sshTarget(name: string, files: MicrovmVmPaths, record: MicrovmRecord): SshTarget {
  return { name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts };
}
