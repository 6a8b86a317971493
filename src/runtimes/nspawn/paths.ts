/**
 * Where the nspawn backend keeps things inside the area the storage port gives it
 * (`StorageDriver.rootVolumes`: on the btrfs pool by default, else `<stateDir>/nspawn`, or
 * `nspawn.root`), and the host names it derives from a container name.
 *
 *   <root>/images/debian-<suite>        the base root file system (an image volume)
 *   <root>/images/debian-<suite>.json   what was built and when
 *   <root>/machines/<name>              a container's root (a root volume cloned from the image)
 *   <root>/overlay/<name>/              the root volume's layers, the storage driver's to use
 *   <root>/run/<name>/                  supervisor files: pid, leader, console.log, spec.json, address
 *
 * @module
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { RootVolumeLocation } from "../../ports/root-volumes.js";

/** Resolved backend paths. */
export interface NspawnPaths {
  readonly root: string;
  readonly images: string;
  readonly machines: string;
  readonly overlay: string;
  readonly run: string;
}

/** The backend's paths inside its area at `root` (`RootVolumes.hostPath`). */
export function nspawnPaths(root: string): NspawnPaths {
  return {
    root,
    images: path.join(root, "images"),
    machines: path.join(root, "machines"),
    overlay: path.join(root, "overlay"),
    run: path.join(root, "run"),
  };
}

/** Per-container paths. */
export interface MachinePaths extends RootVolumeLocation {
  readonly run: string;
  readonly pidFile: string;
  readonly leaderFile: string;
  readonly console: string;
  readonly specFile: string;
  readonly addressFile: string;
  readonly startedFile: string;
}

/** Paths of one container. */
export function machinePaths(paths: NspawnPaths, name: string): MachinePaths {
  const run = path.join(paths.run, name);
  return {
    root: path.join(paths.machines, name),
    layers: path.join(paths.overlay, name),
    run,
    pidFile: path.join(run, "nspawn.pid"),
    leaderFile: path.join(run, "leader.pid"),
    console: path.join(run, "console.log"),
    specFile: path.join(run, "spec.json"),
    addressFile: path.join(run, "address"),
    startedFile: path.join(run, "started-at"),
  };
}

/** The base image directory for a Debian suite. */
export function imagePath(paths: NspawnPaths, suite: string): string {
  return path.join(paths.images, `debian-${suite}`);
}

/**
 * Host-side and container-side veth names. Linux caps names at 15 bytes and they are global
 * on the host, so they hash the backend root with the name: two installations (or two test
 * runs) with a container called `web` never collide, and the same container always gets the same names.
 */
export function interfaceNames(
  paths: NspawnPaths,
  name: string,
): { readonly host: string; readonly container: string } {
  const digest = createHash("sha256").update(`${paths.root}\0${name}`).digest("hex").slice(0, 10);
  return { host: `vx${digest}`, container: `vc${digest}` };
}

/** The cgroup directory name used for a container in every hierarchy. */
export function cgroupName(paths: NspawnPaths, name: string): string {
  const digest = createHash("sha256").update(paths.root).digest("hex").slice(0, 8);
  return path.join("voxnix", `${digest}-${name}`);
}
