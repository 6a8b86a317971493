/**
 * Per-user datasets and per-workload workspaces on ZFS:
 * `<pool>/users/<user>` (with the user's quota) → `containers/<name>` → `workspace`, each
 * with an explicit mountpoint, created race-tolerantly and mounted before every start.
 *
 * @module
 */
import { ConflictError, HostFailureError, NotFoundError } from "../../../domain/errors.js";
import type { CommandRunner } from "../../../ports/command-runner.js";
import type { Logger } from "../../../ports/logger.js";
import type { Usage } from "../../../ports/storage-driver.js";
import {
  SNAPSHOT_PREFIX,
  type ZfsLayout,
  createArgs,
  expectZfsSuccess,
  parseNames,
  parseUsage,
  runZfs,
  saysExists,
  saysMissing,
  snapshotListArgs,
  usageArgs,
} from "./zfs-cli.js";

/** What the ZFS parts share. */
export interface ZfsContext {
  readonly runner: CommandRunner;
  readonly layout: ZfsLayout;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * Creates a dataset with an explicit mountpoint. "Already exists" is success: another
 * request (or an earlier run) created it between anyone's check and this call. With
 * `repair`, an existing dataset whose mountpoint differs (e.g. `legacy` from an older
 * layout, whose children would then never mount) gets the expected one.
 */
export async function createDataset(
  context: ZfsContext,
  dataset: string,
  mountpoint: string,
  repair = false,
): Promise<void> {
  const action = `Creating the ZFS dataset ${dataset}`;
  const result = await runZfs(context.runner, createArgs(dataset, mountpoint), action, context.timeoutMs);
  if (result.exitCode === 0) return;
  if (!saysExists(result)) {
    expectZfsSuccess(result, action);
    return;
  }
  if (!repair) return;
  const check = `Reading the mountpoint of ${dataset}`;
  const current = expectZfsSuccess(
    await runZfs(context.runner, ["get", "-H", "-o", "value", "mountpoint", dataset], check, context.timeoutMs),
    check,
  ).stdout.trim();
  if (current === mountpoint) return;
  const fix = `Setting the mountpoint of ${dataset}`;
  expectZfsSuccess(
    await runZfs(context.runner, ["set", `mountpoint=${mountpoint}`, dataset], fix, context.timeoutMs),
    fix,
  );
  context.logger.warn({ dataset, from: current, to: mountpoint }, "dataset mountpoint repaired");
}

/** True when the dataset exists. */
export async function datasetExists(context: ZfsContext, dataset: string): Promise<boolean> {
  const action = `Looking up the ZFS dataset ${dataset}`;
  const result = await runZfs(context.runner, ["list", "-H", "-o", "name", dataset], action, context.timeoutMs);
  if (result.exitCode === 0) return true;
  if (saysMissing(result)) return false;
  expectZfsSuccess(result, action);
  return false;
}

/** Creates the user's dataset if needed and (re)applies the quota. */
export async function ensureUser(context: ZfsContext, userKey: string, quotaBytes: number): Promise<void> {
  const { layout } = context;
  const dataset = layout.user(userKey);
  try {
    await createDataset(context, dataset, layout.mountpoint(dataset), true);
  } catch (error) {
    // `<pool>/users` is made by ensureReady (voxnix setup); a host set up by hand may lack it.
    if (!(error instanceof HostFailureError && /parent does not exist/i.test(error.message))) throw error;
    await createDataset(context, layout.usersRoot(), layout.mountpoint(layout.usersRoot()));
    await createDataset(context, dataset, layout.mountpoint(dataset));
  }
  if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0)
    throw new HostFailureError(`The quota ${quotaBytes} is not a whole number of bytes.`);
  const quota = quotaBytes === 0 ? "none" : String(quotaBytes);
  const action = `Setting the disk quota of ${dataset}`;
  expectZfsSuccess(await runZfs(context.runner, ["set", `quota=${quota}`, dataset], action, context.timeoutMs), action);
}

/** Space used by a dataset; a missing one is reported as not found. */
export async function datasetUsage(
  context: ZfsContext,
  dataset: string,
  what: "user" | "workload",
  id: string,
): Promise<Usage> {
  const action = `Reading the disk usage of ${dataset}`;
  const result = await runZfs(context.runner, usageArgs(dataset), action, context.timeoutMs);
  if (result.exitCode !== 0 && saysMissing(result))
    throw new NotFoundError(
      what,
      id,
      `No storage exists for ${what === "user" ? "the user" : "the workload"} "${id}".`,
    );
  return parseUsage(expectZfsSuccess(result, action).stdout);
}

/** Creates the workspace (and its parents) and returns its mounted host path. */
export async function createWorkspace(
  context: ZfsContext,
  userKey: string,
  workload: string,
): Promise<{ hostPath: string }> {
  const { layout } = context;
  for (const dataset of [
    layout.containers(userKey),
    layout.container(userKey, workload),
    layout.workspace(userKey, workload),
  ]) {
    await createDataset(context, dataset, layout.mountpoint(dataset));
  }
  return ensureWorkspaceMounted(context, userKey, workload);
}

/** Caps one workspace with `refquota` (its own data, not its snapshots): `--workspace-size`; `null` lifts the cap. Works while it is mounted and in use. */
export async function limitWorkspace(context: ZfsContext, dataset: string, sizeBytes: number | null): Promise<void> {
  const action =
    sizeBytes === null ? `Lifting the size limit of ${dataset}` : `Limiting ${dataset} to ${sizeBytes} bytes`;
  expectZfsSuccess(
    await runZfs(
      context.runner,
      ["set", `refquota=${sizeBytes === null ? "none" : sizeBytes}`, dataset],
      action,
      context.timeoutMs,
    ),
    action,
  );
}

/** Mounts the workspace when it is not mounted (after a reboot, an import, a manual unmount). */
export async function ensureWorkspaceMounted(
  context: ZfsContext,
  userKey: string,
  workload: string,
): Promise<{ hostPath: string }> {
  const dataset = context.layout.workspace(userKey, workload);
  const hostPath = context.layout.mountpoint(dataset);
  const checkAction = `Checking whether the workspace of "${workload}" is mounted`;
  const mounted = await runZfs(
    context.runner,
    ["get", "-H", "-o", "value", "mounted", dataset],
    checkAction,
    context.timeoutMs,
  );
  if (mounted.exitCode !== 0 && saysMissing(mounted)) {
    throw new HostFailureError(
      `The workspace of "${workload}" is missing on the host (${dataset}); restore it or recreate the workload.`,
      mounted.stderr,
    );
  }
  if (expectZfsSuccess(mounted, checkAction).stdout.trim() === "yes") return { hostPath };
  const mountAction = `Mounting the workspace of "${workload}"`;
  const result = await runZfs(context.runner, ["mount", dataset], mountAction, context.timeoutMs);
  if (result.exitCode !== 0 && !/already mounted/i.test(result.stderr)) expectZfsSuccess(result, mountAction);
  context.logger.info({ dataset }, "workspace mounted");
  return { hostPath };
}

/**
 * Deletes a workload's datasets. A workspace holding voxnix snapshots is first moved into
 * the user's trash (unmounted), so those snapshots outlive it until pruned; then the
 * container dataset is destroyed recursively. Failures are thrown, never swallowed.
 */
export async function deleteWorkspace(context: ZfsContext, userKey: string, workload: string): Promise<void> {
  const { layout } = context;
  const workspace = layout.workspace(userKey, workload);
  const labels = await voxnixSnapshotLabels(context, workspace);
  const latest = labels.at(-1);
  if (latest !== undefined) {
    const trash = layout.trash(userKey);
    await createDataset(context, trash, "none");
    const unmount = `Unmounting the workspace of "${workload}"`;
    expectZfsSuccess(
      await runZfs(context.runner, ["set", "mountpoint=none", workspace], unmount, context.timeoutMs),
      unmount,
    );
    const move = `Moving the workspace of "${workload}" to the trash`;
    const target = layout.trashEntry(userKey, workload, latest);
    const moved = await runZfs(context.runner, ["rename", workspace, target], move, context.timeoutMs);
    if (moved.exitCode !== 0 && saysExists(moved))
      throw new ConflictError(
        "wrong-state",
        `The trash already holds ${target}; the workspace of "${workload}" was kept.`,
      );
    expectZfsSuccess(moved, move);
  }
  const container = layout.container(userKey, workload);
  const action = `Deleting the storage of "${workload}"`;
  const result = await runZfs(context.runner, ["destroy", "-r", container], action, context.timeoutMs);
  if (result.exitCode !== 0 && saysMissing(result)) return;
  expectZfsSuccess(result, action);
  context.logger.info({ dataset: container }, "workload storage deleted");
}

/** Labels of the voxnix snapshots of a dataset, oldest first; empty when it does not exist. */
export async function voxnixSnapshotLabels(context: ZfsContext, dataset: string): Promise<string[]> {
  const action = `Listing the snapshots of ${dataset}`;
  const result = await runZfs(context.runner, snapshotListArgs(dataset), action, context.timeoutMs);
  if (result.exitCode !== 0 && saysMissing(result)) return [];
  return parseNames(expectZfsSuccess(result, action).stdout)
    .map((name) => name.slice(name.indexOf("@") + 1))
    .filter((snapshot) => snapshot.startsWith(SNAPSHOT_PREFIX))
    .map((snapshot) => snapshot.slice(SNAPSHOT_PREFIX.length));
}
