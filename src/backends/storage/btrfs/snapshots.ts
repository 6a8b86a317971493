/**
 * Read-only workspace snapshots kept under `snapshots/<userKey>/` (outside the workspace, so
 * they survive its deletion) and restore as a writable snapshot of the snapshot. Snapshots
 * join the user's qgroup: they share extents with the workspace, so they cost nothing until
 * the workspace changes, and what they keep alive counts against the owner's quota.
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ConflictError, NotFoundError } from "../../../domain/errors.js";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { SnapshotRef } from "../../../ports/storage-driver.js";
import { parseSnapshotRef, snapshotRef, type BtrfsPaths } from "./paths.js";
import { deleteSubvolume, snapshotSubvolume } from "./qgroups.js";
import { ensureUserArea, workspacePath } from "./volumes.js";

/** Host path of a snapshot reference. */
export function snapshotPath(paths: BtrfsPaths, ref: string): string {
  const { userKey, workload, label } = parseSnapshotRef(ref);
  return path.join(paths.snapshots, userKey, `${workload}@${label}`);
}

/** Takes a read-only snapshot; taking the same label again returns the existing one. */
export async function snapshotWorkspace(
  runner: CommandRunner,
  paths: BtrfsPaths,
  userKey: string,
  workload: string,
  label: string,
): Promise<SnapshotRef> {
  const ref = snapshotRef(userKey, workload, label);
  const target = snapshotPath(paths, ref);
  if (existsSync(target)) return { ref };
  const source = workspacePath(paths, userKey, workload);
  if (!existsSync(source))
    throw new NotFoundError(
      "workload",
      workload,
      `The workspace of "${workload}" does not exist, so it cannot be snapshotted.`,
    );
  const qgroup = await ensureUserArea(runner, paths, userKey);
  mkdirSync(path.dirname(target), { recursive: true });
  await snapshotSubvolume(runner, source, target, { readOnly: true, qgroup });
  return { ref };
}

/** Recreates the workspace as a writable snapshot of `snapshot`. */
export async function restoreWorkspace(
  runner: CommandRunner,
  paths: BtrfsPaths,
  snapshot: SnapshotRef,
  userKey: string,
  workload: string,
): Promise<string> {
  const source = snapshotPath(paths, snapshot.ref);
  if (!existsSync(source)) throw new NotFoundError("snapshot", snapshot.ref, "That snapshot no longer exists.");
  const target = workspacePath(paths, userKey, workload);
  if (existsSync(target))
    throw new ConflictError("wrong-state", `The workspace of "${workload}" already exists; restore needs it gone.`);
  const qgroup = await ensureUserArea(runner, paths, userKey);
  await snapshotSubvolume(runner, source, target, { readOnly: false, qgroup });
  return target;
}

/** Deletes a snapshot; a missing one succeeds. */
export async function deleteSnapshot(runner: CommandRunner, paths: BtrfsPaths, snapshot: SnapshotRef): Promise<void> {
  const target = snapshotPath(paths, snapshot.ref);
  if (!existsSync(target)) return;
  await deleteSubvolume(runner, target);
}
