/**
 * btrfs subvolume and qgroup plumbing: subvolume ids, level-1 qgroups per user and the
 * `btrfs qgroup show --raw` table that usage is read from.
 *
 * Why level-1 qgroups: a nested subvolume is not accounted in its parent's qgroup, so a
 * limit on the user's subvolume alone would not cover the workspaces inside it. Every
 * workspace, snapshot and container root is created straight into the user's `1/<id>`
 * qgroup instead, and the quota is the exclusive-bytes limit of that qgroup.
 *
 * @module
 */
import type { CommandRunner } from "../../../ports/command-runner.js";
import { runChecked } from "../../../host/commands.js";

/** One row of `btrfs qgroup show --raw -re`. */
export interface QgroupRow {
  readonly id: string;
  readonly referenced: number;
  readonly exclusive: number;
  /** Referenced-bytes limit, or null for `none`. */
  readonly maxReferenced: number | null;
  /** Exclusive-bytes limit, or null for `none`. */
  readonly maxExclusive: number | null;
}

/** Parses the raw qgroup table (header lines are skipped). */
export function parseQgroupShow(text: string): Map<string, QgroupRow> {
  const rows = new Map<string, QgroupRow>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const [id, referenced, exclusive, maxReferenced, maxExclusive] = fields;
    if (id === undefined || !/^\d+\/\d+$/.test(id) || referenced === undefined || exclusive === undefined) continue;
    rows.set(id, {
      id,
      referenced: Number(referenced),
      exclusive: Number(exclusive),
      maxReferenced: maxReferenced === undefined || maxReferenced === "none" ? null : Number(maxReferenced),
      maxExclusive: maxExclusive === undefined || maxExclusive === "none" ? null : Number(maxExclusive),
    });
  }
  return rows;
}

/** Reads the qgroup table, by default syncing first so recent writes are counted. */
export async function readQgroups(
  runner: CommandRunner,
  mountpoint: string,
  options: { readonly sync: boolean } = { sync: true },
): Promise<Map<string, QgroupRow>> {
  const args = ["qgroup", "show", "--raw", ...(options.sync ? ["--sync"] : []), "-re", mountpoint];
  const result = await runChecked(runner, "btrfs", args, { what: "read btrfs quota usage" });
  return parseQgroupShow(result.stdout);
}

/** The subvolume id of the subvolume at `subvolumePath`. */
export async function subvolumeId(runner: CommandRunner, subvolumePath: string): Promise<number> {
  const result = await runChecked(runner, "btrfs", ["inspect-internal", "rootid", subvolumePath], {
    what: `read the subvolume id of ${subvolumePath}`,
  });
  return Number(result.stdout.trim());
}

/** Creates a subvolume, optionally straight into a qgroup. */
export async function createSubvolume(runner: CommandRunner, target: string, qgroup?: string): Promise<void> {
  const args = ["subvolume", "create", ...(qgroup === undefined ? [] : ["-i", qgroup]), target];
  await runChecked(runner, "btrfs", args, { what: `create the subvolume ${target}` });
}

/** Snapshots `source` to `target` (read-only when asked), optionally into a qgroup. */
export async function snapshotSubvolume(
  runner: CommandRunner,
  source: string,
  target: string,
  options: { readonly readOnly: boolean; readonly qgroup?: string },
): Promise<void> {
  const args = [
    "subvolume",
    "snapshot",
    ...(options.readOnly ? ["-r"] : []),
    ...(options.qgroup === undefined ? [] : ["-i", options.qgroup]),
    source,
    target,
  ];
  await runChecked(runner, "btrfs", args, { what: `snapshot ${source}` });
}

/** Deletes a subvolume and its stale level-0 qgroup. */
export async function deleteSubvolume(runner: CommandRunner, target: string): Promise<void> {
  await runChecked(runner, "btrfs", ["subvolume", "delete", target], { what: `delete the subvolume ${target}` });
}
