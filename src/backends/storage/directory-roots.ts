/**
 * Root volumes on a plain directory, for drivers with no copy-on-write clone of a directory
 * tree (dir, zfs) and for an area the runtime's configuration placed off the pool: images are
 * directories and each root is an overlayfs whose lower layer is its image, so a root costs
 * only what the workload writes. Overlay mounts do not survive a reboot; `mountRoot` mounts
 * again before every boot.
 *
 * Ownership: an overlay mount cannot be idmapped, so a runtime that runs the root in a user
 * namespace would have to chown it, and chowning copies every file of the image up into the
 * root's upper layer (measured: 431 MB per container). Given an id range (`cloneRoot`'s
 * `idRange`), the root is instead built over an idmapped, read-only bind of the image (see
 * `idmapped-bind.ts`) with an upper layer owned by the range: the merged root is owned by the
 * range from the start and nothing is copied. The range is recorded in the root's layers
 * directory, so a later mount maps the image the same way. The idmapped bind exists only
 * while the overlay is being mounted (overlayfs keeps a private clone of each layer), in the
 * root's layers directory, which only host root can enter.
 *
 * @module
 */
import { existsSync, lchownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { RootVolumeLocation, RootVolumes } from "../../ports/root-volumes.js";
import { mountAt } from "../../host/mounts.js";
import { runChecked } from "../../host/commands.js";
import { VoxnixError } from "../../domain/errors.js";
import { bindIdmapped, validIdRange } from "./idmapped-bind.js";

/** The overlay layers of a root. */
function layersOf(location: RootVolumeLocation) {
  return {
    upper: path.join(location.layers, "upper"),
    work: path.join(location.layers, "work"),
    lower: path.join(location.layers, "lower"),
    /** Where the idmapped bind of the image is mounted for the moment the overlay mount takes. */
    mapped: path.join(location.layers, "mapped"),
    /** The id range the root is owned by (see `rootIdRange`). */
    idRange: path.join(location.layers, "id-range"),
  };
}

/**
 * The id range a root is owned by: the driver's own record in the layers directory (host root
 * only), undefined for a root owned by host root (made before id ranges, or where the kernel
 * refused the idmapped image). Never read off the root itself: before user namespaces a tenant
 * was the host's root and could chown its `/` to any id, another tenant's range included.
 */
export function rootIdRange(location: RootVolumeLocation): number | undefined {
  let recorded;
  try {
    recorded = Number(readFileSync(layersOf(location).idRange, "utf8").trim());
  } catch {
    return undefined;
  }
  return validIdRange(recorded) ? recorded : undefined;
}

/** The overlay mount command of a root whose lower layer is `lower` (the image, or its idmapped bind). */
export function overlayMountArgs(lower: string, location: RootVolumeLocation): string[] {
  const layers = layersOf(location);
  return [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${lower},upperdir=${layers.upper},workdir=${layers.work}`,
    location.root,
  ];
}

/** What `createOverlayRoot` made. */
export interface OverlayRoot {
  /** The id range the root is owned by; undefined when it is owned by host root. */
  readonly idRange?: number;
  /** Why a root asked to be owned by a range is owned by host root instead (the kernel refused the idmapped image). */
  readonly notice?: string;
}

/**
 * Creates an overlay root over `image` and mounts it; records the image so later mounts find
 * it. With `idRange`, the root is owned by that range (see the module comment); where the
 * kernel or the file system refuses an idmapped mount, it falls back to a root owned by host
 * root and says why in `notice` (the runtime then maps ownership its own way, as before).
 */
export async function createOverlayRoot(
  runner: CommandRunner,
  image: string,
  location: RootVolumeLocation,
  idRange?: number,
): Promise<OverlayRoot> {
  const layers = layersOf(location);
  // Host root only: the upper layer holds the workload's files under host ids of its range.
  mkdirSync(location.layers, { recursive: true, mode: 0o700 });
  mkdirSync(layers.upper, { recursive: true });
  mkdirSync(layers.work, { recursive: true });
  mkdirSync(location.root, { recursive: true });
  writeFileSync(layers.lower, `${image}\n`);
  if (idRange !== undefined) {
    if (!validIdRange(idRange)) throw new RangeError(`${idRange} does not start a 64K id range`);
    lchownSync(layers.upper, idRange, idRange);
    writeFileSync(layers.idRange, `${idRange}\n`);
    try {
      await mountOverlayRoot(runner, location);
      return { idRange };
    } catch (error) {
      if (mountAt(location.root) !== undefined) throw error;
      rmSync(layers.idRange, { force: true });
      lchownSync(layers.upper, 0, 0);
      await mountOverlayRoot(runner, location);
      return { notice: VoxnixError.isInstance(error) ? error.message : String(error) };
    }
  }
  await mountOverlayRoot(runner, location);
  return {};
}

/** True when the root at `location` is an overlay this module made. */
export function isOverlayRoot(location: RootVolumeLocation): boolean {
  return existsSync(layersOf(location).lower);
}

/**
 * Mounts an overlay root if it is not mounted (after a host reboot, before every boot). A root
 * owned by an id range gets the image through an idmapped bind, unmounted again once the
 * overlay holds its own clone of it; a refused idmapped mount fails the mount (a root owned by
 * a range over an unmapped image would look owned by another range).
 */
export async function mountOverlayRoot(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  const layers = layersOf(location);
  if (mountAt(location.root)?.fstype === "overlay") {
    // A process killed between the overlay mount and the unmount left the bind behind.
    await unmountIfMounted(runner, layers.mapped);
    return;
  }
  const image = readFileSync(layers.lower, "utf8").trim();
  const idRange = rootIdRange(location);
  if (idRange === undefined) {
    await runChecked(runner, "mount", overlayMountArgs(image, location), { what: "mount the workload's overlay root" });
    return;
  }
  await unmountIfMounted(runner, layers.mapped);
  mkdirSync(layers.mapped, { recursive: true, mode: 0o700 });
  await bindIdmapped(runner, image, layers.mapped, idRange);
  try {
    await runChecked(runner, "mount", overlayMountArgs(layers.mapped, location), {
      what: "mount the workload's overlay root",
    });
  } finally {
    await unmountIfMounted(runner, layers.mapped);
  }
}

async function unmountIfMounted(runner: CommandRunner, target: string): Promise<void> {
  if (mountAt(target) !== undefined) await runChecked(runner, "umount", [target], { what: `unmount ${target}` });
}

/** Unmounts a root if something is mounted there. */
export async function unmountRoot(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  await unmountIfMounted(runner, location.root);
}

/** Unmounts a root if mounted and removes it with its layers (an idmapped bind a crash left there first). */
export async function removeRootTree(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  await unmountRoot(runner, location);
  await unmountIfMounted(runner, layersOf(location).mapped);
  rmSync(location.root, { recursive: true, force: true });
  rmSync(location.layers, { recursive: true, force: true });
}

/** A root-volume area on a plain directory: images are directories, roots overlays. */
export function directoryRootVolumes(runner: CommandRunner, hostPath: string): RootVolumes {
  return {
    hostPath,
    async ensureReady() {
      mkdirSync(hostPath, { recursive: true });
    },
    async reopen() {
      return existsSync(hostPath);
    },
    async createImage(target) {
      mkdirSync(target, { recursive: true });
      return { hostPath: target, cow: false };
    },
    async deleteImage(target) {
      rmSync(target, { recursive: true, force: true });
    },
    async cloneRoot(image, location, options = {}) {
      const made = await createOverlayRoot(runner, image, location, options.idRange);
      return { kind: "overlay", accounted: Promise.resolve(), ...made };
    },
    cloneCommand: (image, location) => ["mount", ...overlayMountArgs(image, location)],
    rootKind: (location) => (isOverlayRoot(location) ? "overlay" : existsSync(location.root) ? "snapshot" : undefined),
    async mountRoot(location) {
      if (isOverlayRoot(location)) await mountOverlayRoot(runner, location);
    },
    deleteRoot: (location) => removeRootTree(runner, location),
    async doctor() {
      return [];
    },
  };
}
