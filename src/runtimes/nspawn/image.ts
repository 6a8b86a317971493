/**
 * The base image: a minimal Debian (`nspawn.suite`) with systemd and the packages of every
 * module the backend realises, built once with debootstrap and cached under
 * `<root>/images/`. Each build goes to a fresh image volume (from the storage port) and
 * is switched to by rewriting `debian-<suite>.json`, so a failed or interrupted build never
 * damages the image containers are created from.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { ProgressListener } from "../../ports/runtime.js";
import type { RootVolumes } from "../../ports/root-volumes.js";
import { runChecked, progressLines } from "../../host/commands.js";
import { basePackages, debootstrapArgs, imageRecipe } from "./nspawn-cli.js";
import type { NspawnPaths } from "./paths.js";

/** What `debian-<suite>.json` records about the current image. */
export interface ImageMetadata {
  readonly path: string;
  readonly suite: string;
  readonly builtAt: string;
  readonly packages: readonly string[];
  readonly durationMs: number;
  /** The image volume is copy-on-write (`ImageVolume.cow`): roots are independent of it. */
  readonly subvolume: boolean;
  /** `imageRecipe()` at build time; absent in images built before recipes existed (stale). */
  readonly recipe?: string;
}

const BUILD_TIMEOUT_MS = 45 * 60_000;

/** The file that names the current image of a suite. */
export function metadataFile(paths: NspawnPaths, suite: string): string {
  return path.join(paths.images, `debian-${suite}.json`);
}

/** The last image built for a suite, whatever its recipe, or undefined when none is on disk. */
export function builtImage(paths: NspawnPaths, suite: string): ImageMetadata | undefined {
  try {
    const metadata = JSON.parse(readFileSync(metadataFile(paths, suite), "utf8")) as ImageMetadata;
    return existsSync(path.join(metadata.path, "usr/lib/systemd/systemd")) ? metadata : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The image new containers are made from, or undefined when none was built, its directory
 * vanished, or it was built from another recipe (an older package list): then the next create
 * or `voxnix images build` builds it again. Existing containers keep their roots either way.
 */
export function currentImage(paths: NspawnPaths, suite: string): ImageMetadata | undefined {
  const metadata = builtImage(paths, suite);
  return metadata?.recipe === imageRecipe() ? metadata : undefined;
}

/** A unit inside the image that marks boot as finished: the host polls for its file. */
export const READY_FILE = "run/voxnix-ready";

const READY_UNIT = `[Unit]
Description=Tell the voxnix host that boot finished
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/touch /${READY_FILE}

[Install]
WantedBy=multi-user.target
`;

function link(target: string, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { force: true });
  symlinkSync(target, file);
}

/** Units masked in the base image. */
export const MASKED_UNITS = [
  "console-getty.service",
  "getty.target",
  "systemd-logind.service",
  "systemd-update-utmp.service",
  "systemd-update-utmp-runlevel.service",
  "e2scrub_reap.service",
  "apt-daily.timer",
  "apt-daily-upgrade.timer",
  "man-db.timer",
  "e2scrub_all.timer",
  "dpkg-db-backup.timer",
  "systemd-tmpfiles-clean.timer",
  "fstrim.timer",
] as const;

/**
 * Turns a debootstrapped tree into a voxnix base: networkd on, the readiness unit, a
 * persistent journal readable from the host, no console getty, no per-image machine id.
 */
export function customiseImage(root: string): void {
  const units = path.join(root, "etc/systemd/system");
  link(
    "/lib/systemd/system/systemd-networkd.service",
    path.join(units, "multi-user.target.wants/systemd-networkd.service"),
  );
  link("/lib/systemd/system/systemd-networkd.socket", path.join(units, "sockets.target.wants/systemd-networkd.socket"));
  // Units a headless dev container does not need; logind and utmp alone sit on the boot's
  // critical path for about 200 ms (measured with systemd-analyze critical-chain).
  for (const masked of MASKED_UNITS) {
    link("/dev/null", path.join(units, masked));
  }
  writeFileSync(path.join(units, "voxnix-ready.service"), READY_UNIT);
  link("/etc/systemd/system/voxnix-ready.service", path.join(units, "multi-user.target.wants/voxnix-ready.service"));
  mkdirSync(path.join(root, "var/log/journal"), { recursive: true });
  writeFileSync(path.join(root, "etc/machine-id"), "");
  rmSync(path.join(root, "etc/hostname"), { force: true });
  const archives = path.join(root, "var/cache/apt/archives");
  if (existsSync(archives)) {
    for (const entry of readdirSync(archives))
      if (entry.endsWith(".deb")) rmSync(path.join(archives, entry), { force: true });
  }
}

/** Options for building or importing an image. */
export interface ImageOptions {
  readonly suite: string;
  readonly mirror: string;
  readonly onProgress: ProgressListener;
  readonly signal?: AbortSignal;
}

/**
 * Builds a new image and makes it current. `source` (a debootstrapped tree) is copied instead
 * of running debootstrap: tests use it to share one download across runs.
 */
export async function buildImage(
  runner: CommandRunner,
  volumes: RootVolumes,
  paths: NspawnPaths,
  options: ImageOptions & { readonly source?: string },
): Promise<ImageMetadata> {
  const started = Date.now();
  mkdirSync(paths.images, { recursive: true });
  // Leftovers of a build that was killed half-way.
  for (const entry of readdirSync(paths.images)) {
    if (entry.endsWith(".partial")) await volumes.deleteImage(path.join(paths.images, entry));
  }
  const id = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
  const target = path.join(paths.images, `debian-${options.suite}-${id}`);
  const building = `${target}.partial`;
  options.onProgress({
    type: "step",
    step: "building",
    message:
      options.source === undefined
        ? `Running debootstrap for Debian ${options.suite} (a few minutes).`
        : `Copying the base image from ${options.source}.`,
  });
  // An image volume: a subvolume on the btrfs pool (roots are snapshots of it), else a directory.
  const { cow: subvolume } = await volumes.createImage(building);
  try {
    if (options.source === undefined) {
      const result = await runner.run(
        "debootstrap",
        debootstrapArgs({ suite: options.suite, mirror: options.mirror, target: building }),
        {
          timeoutMs: BUILD_TIMEOUT_MS,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          onOutput: progressLines(options.onProgress),
        },
      );
      if (result.exitCode !== 0) {
        throw new HostFailureError(
          `debootstrap failed for Debian ${options.suite}; see the log lines above or ${path.join(building, "debootstrap/debootstrap.log")}.`,
          result.stderr.slice(-2000),
        );
      }
    } else {
      await runChecked(runner, "cp", ["-a", "--", `${options.source}/.`, building], {
        what: "copy the base image",
        timeoutMs: BUILD_TIMEOUT_MS,
      });
    }
    options.onProgress({
      type: "step",
      step: "installing",
      message: "Configuring the image (networkd, readiness unit, journal).",
    });
    customiseImage(building);
    renameSync(building, target);
  } catch (error) {
    await volumes.deleteImage(building);
    throw error;
  }
  // A stale image is replaced too, so it is the last one built, whatever its recipe.
  const previous = builtImage(paths, options.suite);
  const metadata: ImageMetadata = {
    path: target,
    suite: options.suite,
    builtAt: new Date().toISOString(),
    packages: basePackages(),
    durationMs: Date.now() - started,
    subvolume,
    recipe: imageRecipe(),
  };
  const file = metadataFile(paths, options.suite);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(metadata, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  // Containers on btrfs are independent snapshots, so the old image can go; overlay containers
  // still read theirs as a lower layer, so on other file systems old images are kept.
  if (previous && previous.path !== target && previous.subvolume) await volumes.deleteImage(previous.path);
  options.onProgress({
    type: "step",
    step: "done",
    message: `Base image ready (${Math.round(metadata.durationMs / 1000)} s).`,
  });
  return metadata;
}
