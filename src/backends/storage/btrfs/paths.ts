/**
 * Where the btrfs pool lives and how voxnix lays it out, computed once from the
 * configuration so the storage driver and the nspawn backend agree on every path.
 *
 * Layout of the mounted file system:
 *   users/<userKey>                 one subvolume per user (its qgroup 1/<id> carries the quota)
 *   users/<userKey>/<workload>      one subvolume per workspace, assigned to the user's qgroup
 *   snapshots/<userKey>/<workload>@<label>  read-only snapshots, outside the workspace path
 *   nspawn/                         base images and container roots of the nspawn backend
 *
 * @module
 */
import path from "node:path";
import { InvalidInputError } from "../../../domain/errors.js";
import type { BackendDeps } from "../../deps.js";

/** Resolved pool locations. */
export interface BtrfsPaths {
  /** A block device given by the admin, used instead of the loop image. */
  readonly device?: string;
  /** The loop image file (only when no device is configured). */
  readonly image: string;
  readonly imageSizeBytes: number;
  readonly mountpoint: string;
  readonly users: string;
  readonly snapshots: string;
}

/** Computes the pool paths from the configuration and state directory. */
export function resolveBtrfsPaths(deps: Pick<BackendDeps, "config" | "stateDir">): BtrfsPaths {
  const btrfs = deps.config.storage.btrfs;
  const mountpoint = btrfs.mountpoint ?? path.join(deps.stateDir, "storage");
  return {
    ...(btrfs.device === undefined ? {} : { device: btrfs.device }),
    image: btrfs.image ?? path.join(deps.stateDir, "storage.btrfs.img"),
    imageSizeBytes: btrfs.imageSize,
    mountpoint,
    users: path.join(mountpoint, "users"),
    snapshots: path.join(mountpoint, "snapshots"),
  };
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Refuses keys, workload names and labels that could escape their directory. */
export function checkSegment(kind: "user key" | "workload" | "label", value: string): string {
  const pattern = kind === "label" ? LABEL_PATTERN : KEY_PATTERN;
  if (!pattern.test(value) || value.length > 128) {
    throw new InvalidInputError([{ path: kind, message: `The ${kind} "${value}" cannot be used as a storage path.` }]);
  }
  return value;
}

/** Encodes a snapshot reference (`<userKey>/<workload>@<label>`), relative to the snapshots directory. */
export function snapshotRef(userKey: string, workload: string, label: string): string {
  return `${checkSegment("user key", userKey)}/${checkSegment("workload", workload)}@${checkSegment("label", label)}`;
}

/** Parses a snapshot reference back into its parts, refusing anything that is not one. */
export function parseSnapshotRef(ref: string): {
  readonly userKey: string;
  readonly workload: string;
  readonly label: string;
} {
  const match = /^([^/]+)\/([^/@]+)@([^/]+)$/.exec(ref);
  if (!match) throw new InvalidInputError([{ path: "snapshot", message: `"${ref}" is not a snapshot reference.` }]);
  const [, userKey = "", workload = "", label = ""] = match;
  checkSegment("user key", userKey);
  checkSegment("workload", workload);
  checkSegment("label", label);
  return { userKey, workload, label };
}
