/**
 * Root volumes, the part of the storage port a runtime uses: an area for the runtime's own
 * files, image volumes it fills once, and each workload's writable root cloned from an image.
 * The driver decides where the area is (btrfs: on the pool, so roots share the image's
 * extents and count against the owner's quota; dir and zfs: a plain directory) and how a root
 * is cloned (a copy-on-write snapshot, or an overlay whose lower layer is the image). The
 * runtime decides the layout inside its area and never learns the pool's.
 *
 * @module
 */
import type { DoctorCheck } from "./runtime.js";

/** Who asks for an area, and where its own configuration put it (`nspawn.root`), if it did. */
export interface RootVolumeRequest {
  /** The runtime's name; the default area is named after it. */
  readonly runtime: string;
  /** An explicit directory for the area; the driver then keeps nothing of it on its pool. */
  readonly at?: string;
}

/** How a root was cloned from its image. */
export type RootCloneKind = "snapshot" | "overlay";

/** A tree a runtime fills once (a base image) and clones roots from. */
export interface ImageVolume {
  readonly hostPath: string;
  /** True when roots cloned from it are copy-on-write snapshots, so the image can go once they exist. */
  readonly cow: boolean;
}

/**
 * Where one root lives, both paths inside the area and chosen by the runtime: `root` is the
 * tree the workload boots from; `layers` is a directory only the driver uses (an overlay's
 * upper and work layers and the name of its image). Deleting the root removes both.
 */
export interface RootVolumeLocation {
  readonly root: string;
  readonly layers: string;
}

/** A created root. */
export interface RootVolume {
  readonly kind: RootCloneKind;
  /**
   * Resolves once the storage's accounting includes the root (btrfs recounts quotas after a
   * root joins the owner's group, about 0.3 s); await it before reporting success. Never
   * rejects unobserved: a rejection waits for this promise to be awaited.
   */
  readonly accounted: Promise<void>;
  /** The 64K id range the root is owned by (`cloneRoot`'s `idRange`, where the driver applied it). */
  readonly idRange?: number;
  /** Why a requested `idRange` was not applied (the root is owned by host root), for the runtime to pass on. */
  readonly notice?: string;
}

/** The volume operations on one runtime's area. */
export interface RootVolumes {
  /** The area's directory (stable: runtimes derive host-wide names from it). */
  readonly hostPath: string;
  /** Makes the area usable (mounts its pool, creates the directory). Idempotent; needs root where the driver mounts. */
  ensureReady(): Promise<void>;
  /**
   * Makes an existing area readable again (its pool after a host reboot) without ever creating
   * a pool: false when there is nothing to read.
   */
  reopen(): Promise<boolean>;
  /** Creates an empty image volume at `hostPath` (inside the area), to be filled and renamed by the runtime. */
  createImage(hostPath: string): Promise<ImageVolume>;
  /** Deletes an image volume (a renamed one too); a missing one succeeds. */
  deleteImage(hostPath: string): Promise<void>;
  /**
   * Clones a writable root from the image at `image` to `location`, joining `quotaGroup` (the
   * owner's accounting group, `StorageDriver.quotaGroup`) where the driver accounts roots.
   * `idRange` (the first host id of a 64K range) asks for a root already owned by that range,
   * image files included, for a runtime that runs the root in a user namespace: drivers whose
   * roots cannot be idmapped at boot (overlays) apply it without copying the image; snapshots,
   * which the runtime idmaps itself, ignore it. `RootVolume.idRange` says whether it was applied.
   */
  cloneRoot(
    image: string,
    location: RootVolumeLocation,
    options?: { readonly quotaGroup?: string; readonly idRange?: number },
  ): Promise<RootVolume>;
  /** The host command `cloneRoot` would run, for dry runs. Pure. */
  cloneCommand(image: string, location: RootVolumeLocation): readonly string[];
  /** How an existing root was cloned; undefined when there is none. */
  rootKind(location: RootVolumeLocation): RootCloneKind | undefined;
  /** Mounts the root again where it needs a mount (an overlay after a host reboot); before every boot. */
  mountRoot(location: RootVolumeLocation): Promise<void>;
  /** Unmounts and deletes the root and its layers, nested volumes included; a missing one succeeds. */
  deleteRoot(location: RootVolumeLocation): Promise<void>;
  /** Checks for `voxnix doctor` about the area (is its pool mounted?). */
  doctor(): Promise<readonly DoctorCheck[]>;
}
