/**
 * The `zfs` command line as the storage driver uses it: dataset naming, argv builders,
 * output parsers and the classification of zfs's own error texts ("does not exist",
 * "already exists"). Every value placed in an argv is validated first.
 *
 * @module
 */
import { HostFailureError, InvalidInputError } from "../../../domain/errors.js";
import { isWorkloadName } from "../../../domain/names.js";
import type { CommandResult, CommandRunner } from "../../../ports/command-runner.js";
import type { Usage } from "../../../ports/storage-driver.js";
import { commandFailure, runHost } from "../../../host/commands.js";

/** The program name; resolved through PATH by the runner. */
export const ZFS = "zfs";
/** Prefix of every snapshot voxnix takes, so others' snapshots are never touched. */
export const SNAPSHOT_PREFIX = "voxnix-";

/** Dataset names and mountpoints of one pool's voxnix layout. */
export class ZfsLayout {
  /** Where the pool's datasets are mounted (`storage.zfs.mountpoint`, default `/<pool>`). */
  readonly mountRoot: string;

  constructor(
    readonly pool: string,
    mountRoot?: string,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(pool))
      throw new HostFailureError(`"${pool}" is not a valid ZFS pool name (storage.zfs.pool).`);
    const root = (mountRoot ?? `/${pool}`).replace(/\/+$/, "");
    if (!/^\/[A-Za-z0-9._@+/-]*$/.test(root || "/") || root.split("/").includes("..")) {
      throw new HostFailureError(
        `"${mountRoot}" is not a usable mount point for the pool (storage.zfs.mountpoint): an absolute path without "..".`,
      );
    }
    this.mountRoot = root;
  }

  /** `<pool>/users`, the parent of every user. */
  usersRoot(): string {
    return `${this.pool}/users`;
  }

  user(userKey: string): string {
    return `${this.usersRoot()}/${checkUserKey(userKey)}`;
  }

  containers(userKey: string): string {
    return `${this.user(userKey)}/containers`;
  }

  container(userKey: string, workload: string): string {
    return `${this.containers(userKey)}/${checkWorkload(workload)}`;
  }

  workspace(userKey: string, workload: string): string {
    return `${this.container(userKey, workload)}/workspace`;
  }

  /** Where workspaces of destroyed workloads wait, with their snapshots, until pruned. */
  trash(userKey: string): string {
    return `${this.user(userKey)}/trash`;
  }

  trashEntry(userKey: string, workload: string, label: string): string {
    return `${this.trash(userKey)}/${checkWorkload(workload)}.${checkLabel(label)}`;
  }

  /** The explicit mountpoint of a dataset below `<pool>/users`: the mount root plus the path below the pool. */
  mountpoint(dataset: string): string {
    return `${this.mountRoot}${dataset.slice(this.pool.length)}`;
  }
}

/** Validates a user storage key (`telegram_42`). */
export function checkUserKey(userKey: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$/.test(userKey))
    throw new InvalidInputError([{ path: "user", message: `"${userKey}" is not a valid user storage key.` }]);
  return userKey;
}

/** Validates a workload name for use in a dataset name. */
export function checkWorkload(workload: string): string {
  if (!isWorkloadName(workload))
    throw new InvalidInputError([{ path: "name", message: `"${workload}" is not a valid workload name.` }]);
  return workload;
}

/** Validates a snapshot label (characters zfs allows in a snapshot name). */
export function checkLabel(label: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(label))
    throw new InvalidInputError([{ path: "label", message: `"${label}" is not a valid snapshot label.` }]);
  return label;
}

/** Runs `zfs <args>` with a timeout; returns the result whatever the exit status. */
export function runZfs(
  runner: CommandRunner,
  args: readonly string[],
  action: string,
  timeoutMs: number,
): Promise<CommandResult> {
  return runHost(runner, ZFS, args, { action, timeoutMs });
}

/** Throws a readable `HostFailureError` (stderr as detail) unless the command succeeded. */
export function expectZfsSuccess(result: CommandResult, action: string): CommandResult {
  if (result.exitCode !== 0) throw commandFailure(action, result);
  return result;
}

/** True when zfs said the dataset (or snapshot) does not exist. */
export function saysMissing(result: CommandResult): boolean {
  return /does not exist|no such pool|could not find any snapshots/i.test(result.stderr);
}

/** True when zfs said the dataset already exists (a concurrent creator won the race). */
export function saysExists(result: CommandResult): boolean {
  return /already exists|dataset exists/i.test(result.stderr);
}

/** `zfs create -o mountpoint=<mp> <dataset>` (no `-p`: every level gets its own explicit mountpoint). */
export function createArgs(dataset: string, mountpoint: string): string[] {
  return ["create", "-o", `mountpoint=${mountpoint}`, dataset];
}

/** `zfs get -Hp -o property,value used,quota,available <dataset>`. */
export function usageArgs(dataset: string): string[] {
  return ["get", "-Hp", "-o", "property,value", "used,quota,available", dataset];
}

/** Parses tab-separated `property\tvalue` lines of `zfs get -Hp`; quota 0 or none means no quota. */
export function parseUsage(stdout: string): Usage {
  const values = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const [property, value] = line.split("\t");
    if (property && value !== undefined) values.set(property.trim(), value.trim());
  }
  const number = (key: string): number | null => {
    const raw = values.get(key);
    return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
  };
  const quota = number("quota");
  return {
    usedBytes: number("used") ?? 0,
    quotaBytes: quota === null || quota === 0 ? null : quota,
    availableBytes: number("available"),
  };
}

/** `zfs list -H -t snapshot -o name -s createtxg -d 1 <dataset>`: the dataset's snapshots, oldest first. */
export function snapshotListArgs(dataset: string): string[] {
  return ["list", "-H", "-t", "snapshot", "-o", "name", "-s", "createtxg", "-d", "1", dataset];
}

/** Splits `zfs list -H -o name` output into names. */
export function parseNames(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
