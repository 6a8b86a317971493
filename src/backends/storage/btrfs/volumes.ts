/**
 * Per-user areas and per-workspace subvolumes on the btrfs pool, with the user's quota as the
 * exclusive-bytes limit of a level-1 qgroup (`1/<id of the user's subvolume>`).
 *
 * Why exclusive: a container root is a snapshot of the shared base image and joins the same
 * group, so everything the tenant writes to it counts; the base image's blocks, shared with the
 * image itself, are not exclusive to the group and so are not charged to anyone. Workspaces and
 * their snapshots share blocks inside the group, which counts them once.
 *
 * @module
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../../domain/errors.js";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { Usage } from "../../../ports/storage-driver.js";
import { checkSegment, type BtrfsPaths } from "./paths.js";
import { createSubvolume, deleteSubvolume, readQgroups, subvolumeId } from "./qgroups.js";
import { runChecked } from "../../../host/commands.js";

/** Path of a user's area. */
export function userPath(paths: BtrfsPaths, userKey: string): string {
  return path.join(paths.users, checkSegment("user key", userKey));
}

/** Path of a workspace. */
export function workspacePath(paths: BtrfsPaths, userKey: string, workload: string): string {
  return path.join(userPath(paths, userKey), checkSegment("workload", workload));
}

/** User areas whose qgroup this process has already checked, by path. */
const knownAreas = new Map<string, string>();

/**
 * Creates the user's subvolume and level-1 qgroup if missing and returns the qgroup id.
 * Tolerates a concurrent caller doing the same (each step is re-checked after a failure).
 */
export async function ensureUserArea(runner: CommandRunner, paths: BtrfsPaths, userKey: string): Promise<string> {
  const area = userPath(paths, userKey);
  const cached = knownAreas.get(area);
  if (cached !== undefined && existsSync(area)) return cached;
  if (!existsSync(area)) {
    try {
      await createSubvolume(runner, area);
    } catch (error) {
      if (!existsSync(area)) throw error;
    }
  }
  const id = await subvolumeId(runner, area);
  const qgroup = `1/${id}`;
  // Existence needs no --sync (that forces a transaction commit, ~100 ms).
  const rows = await readQgroups(runner, paths.mountpoint, { sync: false });
  if (!rows.has(qgroup)) {
    const created = await runner.run("btrfs", ["qgroup", "create", qgroup, paths.mountpoint], { timeoutMs: 30_000 });
    if (created.exitCode !== 0 && !(await readQgroups(runner, paths.mountpoint, { sync: false })).has(qgroup)) {
      throw new HostFailureError(`Could not create the quota group for ${userKey}.`, created.stderr.trim());
    }
    // The user's own subvolume joins the group so anything written at its top level counts too.
    await runner.run("btrfs", ["qgroup", "assign", "--no-rescan", `0/${id}`, qgroup, paths.mountpoint], {
      timeoutMs: 30_000,
    });
  }
  knownAreas.set(area, qgroup);
  return qgroup;
}

/** Creates the user's area and sets its quota (re-applied on every call). */
export async function ensureUser(
  runner: CommandRunner,
  paths: BtrfsPaths,
  userKey: string,
  quotaBytes: number,
): Promise<void> {
  const qgroup = await ensureUserArea(runner, paths, userKey);
  // Limits are settings, not usage: the table without --sync shows them, and an unchanged
  // quota needs no command (this runs before every create).
  const row = (await readQgroups(runner, paths.mountpoint, { sync: false })).get(qgroup);
  if (row?.maxExclusive !== quotaBytes) {
    await runChecked(runner, "btrfs", ["qgroup", "limit", "-e", String(quotaBytes), qgroup, paths.mountpoint], {
      what: `set the disk quota of ${userKey}`,
    });
  }
  // A limit from before the switch to exclusive accounting would still cap referenced bytes.
  if (row === undefined || row.maxReferenced !== null) {
    await runChecked(runner, "btrfs", ["qgroup", "limit", "none", qgroup, paths.mountpoint], {
      what: `clear the old referenced limit of ${userKey}`,
    });
  }
}

/** The user's usage and quota from the qgroup table. */
export async function userUsage(runner: CommandRunner, paths: BtrfsPaths, userKey: string): Promise<Usage> {
  const area = userPath(paths, userKey);
  if (!existsSync(area)) return { usedBytes: 0, quotaBytes: null, availableBytes: null };
  const id = await subvolumeId(runner, area);
  const row = (await readQgroups(runner, paths.mountpoint)).get(`1/${id}`);
  const used = row?.exclusive ?? 0;
  const quota = row?.maxExclusive ?? null;
  return { usedBytes: used, quotaBytes: quota, availableBytes: quota === null ? null : Math.max(0, quota - used) };
}

/** Creates the workspace subvolume inside the user's qgroup (idempotent), limited to `sizeBytes` when given, and returns its path. */
export async function createWorkspace(
  runner: CommandRunner,
  paths: BtrfsPaths,
  userKey: string,
  workload: string,
  sizeBytes?: number,
): Promise<string> {
  const target = workspacePath(paths, userKey, workload);
  if (!existsSync(target)) {
    const qgroup = await ensureUserArea(runner, paths, userKey);
    await createSubvolume(runner, target, qgroup);
  }
  if (sizeBytes !== undefined) await limitWorkspace(runner, paths, target, sizeBytes);
  return target;
}

/** Caps one workspace (its own level-0 qgroup's referenced bytes): `--workspace-size`; `null` lifts the cap. Works while it is mounted and in use. */
export async function limitWorkspace(
  runner: CommandRunner,
  paths: BtrfsPaths,
  target: string,
  sizeBytes: number | null,
): Promise<void> {
  const id = await subvolumeId(runner, target);
  const limit = sizeBytes === null ? "none" : String(sizeBytes);
  await runChecked(runner, "btrfs", ["qgroup", "limit", limit, `0/${id}`, paths.mountpoint], {
    what:
      sizeBytes === null
        ? `lift the size limit of the workspace ${path.basename(target)}`
        : `limit the workspace ${path.basename(target)} to ${sizeBytes} bytes`,
  });
}

/** Deletes the workspace subvolume; a missing one succeeds. */
export async function deleteWorkspace(
  runner: CommandRunner,
  paths: BtrfsPaths,
  userKey: string,
  workload: string,
): Promise<void> {
  const target = workspacePath(paths, userKey, workload);
  if (!existsSync(target)) return;
  await deleteSubvolume(runner, target);
}

/** Bytes referenced by one workspace; quotas are per user, so none is reported per workspace. */
export async function workspaceUsage(
  runner: CommandRunner,
  paths: BtrfsPaths,
  userKey: string,
  workload: string,
): Promise<Usage> {
  const target = workspacePath(paths, userKey, workload);
  const none = { usedBytes: 0, quotaBytes: null, availableBytes: null };
  if (!existsSync(target)) return none;
  let id: number;
  try {
    id = await subvolumeId(runner, target);
  } catch (error) {
    // Deleted between the check and the read (a destroy finishing): a usage report must not fail for it.
    if (!existsSync(target)) return none;
    throw error;
  }
  const row = (await readQgroups(runner, paths.mountpoint)).get(`0/${id}`);
  const used = row?.referenced ?? 0;
  const quota = row?.maxReferenced ?? null;
  return { usedBytes: used, quotaBytes: quota, availableBytes: quota === null ? null : Math.max(0, quota - used) };
}
