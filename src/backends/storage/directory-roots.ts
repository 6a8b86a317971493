/**
 * Root volumes on a plain directory, for drivers with no copy-on-write clone of a directory
 * tree (dir, zfs) and for an area the runtime's configuration placed off the pool: images are
 * directories and each root is an overlayfs whose lower layer is its image, so a root costs
 * only what the workload writes. Overlay mounts do not survive a reboot; `mountRoot` mounts
 * again before every boot.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { RootVolumeLocation, RootVolumes } from "../../ports/root-volumes.js";
import { mountAt } from "../../host/mounts.js";
import { runChecked } from "../../host/commands.js";

/** The overlay layers of a root. */
function layersOf(location: RootVolumeLocation) {
  return {
    upper: path.join(location.layers, "upper"),
    work: path.join(location.layers, "work"),
    lower: path.join(location.layers, "lower"),
  };
}

/** The overlay mount command of a root whose lower layer is `image`. */
export function overlayMountArgs(image: string, location: RootVolumeLocation): string[] {
  const layers = layersOf(location);
  return [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${image},upperdir=${layers.upper},workdir=${layers.work}`,
    location.root,
  ];
}

/** Creates an overlay root over `image` and mounts it; records the image so later mounts find it. */
export async function createOverlayRoot(
  runner: CommandRunner,
  image: string,
  location: RootVolumeLocation,
): Promise<void> {
  const layers = layersOf(location);
  mkdirSync(layers.upper, { recursive: true });
  mkdirSync(layers.work, { recursive: true });
  mkdirSync(location.root, { recursive: true });
  writeFileSync(layers.lower, `${image}\n`);
  await mountOverlayRoot(runner, location);
}

/** True when the root at `location` is an overlay this module made. */
export function isOverlayRoot(location: RootVolumeLocation): boolean {
  return existsSync(layersOf(location).lower);
}

/** Mounts an overlay root if it is not mounted (after a host reboot, before every boot). */
export async function mountOverlayRoot(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  if (mountAt(location.root)?.fstype === "overlay") return;
  const image = readFileSync(layersOf(location).lower, "utf8").trim();
  await runChecked(runner, "mount", overlayMountArgs(image, location), { what: "mount the workload's overlay root" });
}

/** Unmounts a root if something is mounted there. */
export async function unmountRoot(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  if (mountAt(location.root) !== undefined) {
    await runChecked(runner, "umount", [location.root], { what: "unmount the workload's root" });
  }
}

/** Unmounts a root if mounted and removes it with its layers. */
export async function removeRootTree(runner: CommandRunner, location: RootVolumeLocation): Promise<void> {
  await unmountRoot(runner, location);
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
    async cloneRoot(image, location) {
      await createOverlayRoot(runner, image, location);
      return { kind: "overlay", accounted: Promise.resolve() };
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
