/**
 * Workspace snapshots on ZFS, and why they survive the workspace.
 *
 * A snapshot is `<workspace>@voxnix-<label>`. ZFS destroys a dataset's snapshots with it, and
 * the core deletes the workspace right after snapshotting it for a destroy. Three ways were
 * weighed: `zfs send | zfs recv` into a backup dataset (needs a pipe between two processes,
 * which the shell-free command runner deliberately cannot build, and copies every byte);
 * `zfs clone` (the clone pins the workspace, so the workspace could no longer be destroyed);
 * and moving the workspace aside. voxnix moves it: `deleteWorkspace` renames a workspace that
 * holds voxnix snapshots to `<pool>/users/<user>/trash/<name>.<latest label>` (mountpoint
 * none) instead of destroying it. That is one metadata operation, keeps the snapshots
 * copy-on-write, keeps the space charged to the same user's quota until pruned, and makes
 * restore a rename back plus `zfs rollback` to the chosen snapshot.
 *
 * A `SnapshotRef` is logical (`zfs:<user>/<workload>@<label>`) and is resolved each time, so
 * it stays valid whether the snapshot currently sits on the workspace or in the trash.
 *
 * @module
 */
import { ConflictError, InvalidInputError, NotFoundError } from "../../../domain/errors.js";
import type { SnapshotRef } from "../../../ports/storage-driver.js";
import {
  type ZfsContext,
  createDataset,
  datasetExists,
  ensureWorkspaceMounted,
  voxnixSnapshotLabels,
} from "./volumes.js";
import {
  SNAPSHOT_PREFIX,
  checkLabel,
  checkUserKey,
  checkWorkload,
  expectZfsSuccess,
  parseNames,
  runZfs,
  saysExists,
  saysMissing,
} from "./zfs-cli.js";

interface ParsedRef {
  readonly userKey: string;
  readonly workload: string;
  readonly label: string;
}

const REF_PATTERN = /^zfs:([^/@]+)\/([^/@]+)@(.+)$/;

/** Builds the opaque reference stored by the core. */
export function snapshotRef(userKey: string, workload: string, label: string): SnapshotRef {
  return { ref: `zfs:${checkUserKey(userKey)}/${checkWorkload(workload)}@${checkLabel(label)}` };
}

/** Parses a reference made by `snapshotRef`. */
export function parseSnapshotRef(snapshot: SnapshotRef): ParsedRef {
  const match = REF_PATTERN.exec(snapshot.ref);
  if (!match)
    throw new InvalidInputError([{ path: "snapshot", message: `"${snapshot.ref}" is not a ZFS snapshot reference.` }]);
  return {
    userKey: checkUserKey(match[1] ?? ""),
    workload: checkWorkload(match[2] ?? ""),
    label: checkLabel(match[3] ?? ""),
  };
}

/** Takes `<workspace>@voxnix-<label>`. */
export async function snapshotWorkspace(
  context: ZfsContext,
  userKey: string,
  workload: string,
  label: string,
): Promise<SnapshotRef> {
  const snapshot = `${context.layout.workspace(userKey, workload)}@${SNAPSHOT_PREFIX}${checkLabel(label)}`;
  const action = `Taking a snapshot of the workspace of "${workload}"`;
  const result = await runZfs(context.runner, ["snapshot", snapshot], action, context.timeoutMs);
  if (result.exitCode !== 0 && saysExists(result))
    throw new ConflictError("wrong-state", `A snapshot labelled "${label}" of "${workload}" already exists.`);
  if (result.exitCode !== 0 && saysMissing(result))
    throw new NotFoundError(
      "workload",
      workload,
      `The workspace of "${workload}" does not exist, so it cannot be snapshotted.`,
    );
  expectZfsSuccess(result, action);
  return snapshotRef(userKey, workload, label);
}

/** Where a snapshot currently is (`dataset@voxnix-label`), or undefined when it is gone. */
export async function locateSnapshot(
  context: ZfsContext,
  snapshot: SnapshotRef,
): Promise<{ dataset: string; name: string; inTrash: boolean } | undefined> {
  const { userKey, workload, label } = parseSnapshotRef(snapshot);
  const suffix = `@${SNAPSHOT_PREFIX}${label}`;
  const action = "Looking up a snapshot";
  const result = await runZfs(
    context.runner,
    ["list", "-H", "-t", "snapshot", "-o", "name", "-r", context.layout.user(userKey)],
    action,
    context.timeoutMs,
  );
  if (result.exitCode !== 0 && saysMissing(result)) return undefined;
  const names = parseNames(expectZfsSuccess(result, action).stdout).filter((name) => name.endsWith(suffix));
  const live = `${context.layout.workspace(userKey, workload)}${suffix}`;
  if (names.includes(live)) return { dataset: live.slice(0, -suffix.length), name: live, inTrash: false };
  // Workload names hold no dots, so `<trash>/<workload>.` cannot match another workload's entry.
  const trashPrefix = `${context.layout.trash(userKey)}/${workload}.`;
  const trashed = names.find(
    (name) => name.startsWith(trashPrefix) && !name.slice(trashPrefix.length, -suffix.length).includes("/"),
  );
  return trashed ? { dataset: trashed.slice(0, -suffix.length), name: trashed, inTrash: true } : undefined;
}

/** Recreates a workspace from a snapshot; the workspace must not exist. */
export async function restoreWorkspace(
  context: ZfsContext,
  snapshot: SnapshotRef,
  userKey: string,
  workload: string,
): Promise<{ hostPath: string }> {
  const { layout } = context;
  const target = layout.workspace(userKey, workload);
  if (await datasetExists(context, target)) {
    throw new ConflictError(
      "wrong-state",
      `"${workload}" already has a workspace; destroy it before restoring a snapshot into it.`,
    );
  }
  const found = await locateSnapshot(context, snapshot);
  if (!found)
    throw new NotFoundError("snapshot", snapshot.ref, "That snapshot no longer exists (it may have expired).");
  for (const dataset of [layout.containers(userKey), layout.container(userKey, workload)]) {
    await createDataset(context, dataset, layout.mountpoint(dataset));
  }
  const mountpoint = layout.mountpoint(target);
  if (found.inTrash) {
    const move = `Moving the saved workspace back to "${workload}"`;
    expectZfsSuccess(await runZfs(context.runner, ["rename", found.dataset, target], move, context.timeoutMs), move);
    const snapshotName = `${target}${found.name.slice(found.dataset.length)}`;
    const rollback = `Rolling the workspace of "${workload}" back to the snapshot`;
    expectZfsSuccess(
      await runZfs(context.runner, ["rollback", "-r", snapshotName], rollback, context.timeoutMs),
      rollback,
    );
    const remount = `Mounting the restored workspace of "${workload}"`;
    expectZfsSuccess(
      await runZfs(context.runner, ["set", `mountpoint=${mountpoint}`, target], remount, context.timeoutMs),
      remount,
    );
  } else {
    // The snapshot still belongs to a live workspace (restoring under another name): clone it.
    const clone = `Cloning the snapshot into "${workload}"`;
    expectZfsSuccess(
      await runZfs(
        context.runner,
        ["clone", "-o", `mountpoint=${mountpoint}`, found.name, target],
        clone,
        context.timeoutMs,
      ),
      clone,
    );
  }
  return ensureWorkspaceMounted(context, userKey, workload);
}

/** Deletes a snapshot, and its trash entry once that holds no snapshots; a missing one succeeds. */
export async function deleteSnapshot(context: ZfsContext, snapshot: SnapshotRef): Promise<void> {
  const found = await locateSnapshot(context, snapshot);
  if (!found) return;
  const action = "Deleting a workspace snapshot";
  const result = await runZfs(context.runner, ["destroy", found.name], action, context.timeoutMs);
  if (result.exitCode !== 0 && saysMissing(result)) return;
  expectZfsSuccess(result, action);
  if (found.inTrash && (await voxnixSnapshotLabels(context, found.dataset)).length === 0) {
    const prune = "Deleting an expired saved workspace";
    const pruned = await runZfs(context.runner, ["destroy", "-r", found.dataset], prune, context.timeoutMs);
    if (pruned.exitCode !== 0 && !saysMissing(pruned)) expectZfsSuccess(pruned, prune);
  }
}
