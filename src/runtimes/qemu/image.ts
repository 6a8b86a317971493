/**
 * The VM base image, built once from Debian packages alone: debootstrap (minbase, the cloud
 * kernel, systemd, openssh-server), the files of `guest-files.ts`, then an ext4 file system
 * made straight from the directory (`mkfs.ext4 -d`, no loop mount, no root-only mount
 * namespace tricks) and converted to qcow2. The kernel and initrd are copied out for direct
 * kernel boot (no bootloader, no firmware wait).
 *
 * Each build goes to a fresh `<images>/debian-<suite>-<id>` folder (renamed into place when
 * done) and `debian-<suite>.json` is switched to it, so an interrupted build never damages the
 * image VMs run from, and a finished image is never changed (VM overlays name it as their
 * backing file).
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { ProgressListener } from "../../ports/runtime.js";
import { runChecked, progressLines } from "../../host/commands.js";
import { BOOT_DIRS } from "./boot-files.js";
import { baseImageFiles } from "./guest-files.js";

/** The packages of the base image, on top of debootstrap's minbase. */
export const VM_PACKAGES = [
  "systemd-sysv",
  "udev",
  "linux-image-cloud-amd64",
  "openssh-server",
  "iproute2",
  "e2fsprogs",
  "ca-certificates",
] as const;

/** Size of the base image's root file system; a VM's root disk is at least this big. */
export const BASE_FS_BYTES = 2 * 1024 ** 3;

/**
 * A digest of everything that goes into the image (packages, voxnix's files, the file system
 * size): an image built from another recipe is not current, so a changed first-boot script or
 * unit reaches new VMs (and cached test images are rebuilt) without anyone deleting files.
 */
export const IMAGE_RECIPE = createHash("sha256")
  .update(JSON.stringify({ packages: VM_PACKAGES, files: baseImageFiles(), dirs: BOOT_DIRS, fs: BASE_FS_BYTES }))
  .digest("hex")
  .slice(0, 16);

/** What `debian-<suite>.json` records about a built image. */
export interface BaseImage {
  readonly recipe: string;
  readonly dir: string;
  readonly suite: string;
  readonly disk: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly builtAt: string;
  readonly durationMs: number;
  readonly diskBytes: number;
}

const BUILD_TIMEOUT_MS = 45 * 60_000;

/** The file naming the current image of a suite. */
export const imagePointer = (images: string, suite: string): string => path.join(images, `debian-${suite}.json`);

/** The current image, or undefined when none was built. */
export function currentImage(images: string, suite: string): BaseImage | undefined {
  try {
    const image = JSON.parse(readFileSync(imagePointer(images, suite), "utf8")) as BaseImage;
    return image.recipe === IMAGE_RECIPE && [image.disk, image.kernel, image.initrd].every((file) => existsSync(file))
      ? image
      : undefined;
  } catch {
    return undefined;
  }
}

/** debootstrap's argv for the VM tree. */
export function vmDebootstrapArgs(options: {
  readonly suite: string;
  readonly mirror: string;
  readonly target: string;
  readonly cacheDir?: string;
}): string[] {
  return [
    "--variant=minbase",
    `--include=${VM_PACKAGES.join(",")}`,
    ...(options.cacheDir === undefined ? [] : [`--cache-dir=${options.cacheDir}`]),
    options.suite,
    options.target,
    options.mirror,
  ];
}

/** Adds voxnix's files to a debootstrapped tree and removes what must be per-VM (host keys). */
export function customiseTree(root: string): void {
  const { files, links } = baseImageFiles();
  for (const file of files) {
    const target = path.join(root, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { force: true });
    writeFileSync(target, file.content);
    chmodSync(target, file.mode);
  }
  for (const link of links) {
    const target = path.join(root, link.path);
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { force: true });
    symlinkSync(link.target, target);
  }
  mkdirSync(path.join(root, "workspace"), { recursive: true });
  for (const dir of BOOT_DIRS) {
    mkdirSync(path.join(root, dir.path), { recursive: true });
    chmodSync(path.join(root, dir.path), dir.mode);
  }
  const ssh = path.join(root, "etc/ssh");
  for (const entry of existsSync(ssh) ? readdirSync(ssh) : [])
    if (entry.startsWith("ssh_host_")) rmSync(path.join(ssh, entry), { force: true });
  rmSync(path.join(root, "etc/hostname"), { force: true });
  rmSync(path.join(root, "var/lib/dbus/machine-id"), { force: true });
  const archives = path.join(root, "var/cache/apt/archives");
  for (const entry of existsSync(archives) ? readdirSync(archives) : [])
    if (entry.endsWith(".deb")) rmSync(path.join(archives, entry), { force: true });
}

/** The kernel and initrd of a tree, from Debian's /vmlinuz and /initrd.img links, resolved inside the tree. */
function bootFiles(root: string): { readonly kernel: string; readonly initrd: string } {
  const resolve = (link: string): string => {
    let target: string;
    try {
      target = path.join(root, path.normalize(`/${readlinkSync(path.join(root, link))}`));
    } catch {
      throw new HostFailureError(`The VM image has no /${link} (linux-image-cloud-amd64 did not install).`, root);
    }
    if (!lstatSync(target).isFile()) throw new HostFailureError(`The VM image's /${link} is not a file.`, target);
    return target;
  };
  return { kernel: resolve("vmlinuz"), initrd: resolve("initrd.img") };
}

/** Options for building an image. */
export interface BuildOptions {
  readonly images: string;
  readonly suite: string;
  readonly mirror: string;
  readonly onProgress: ProgressListener;
  readonly signal?: AbortSignal;
  /** Where debootstrap keeps downloaded packages between builds. */
  readonly cacheDir?: string;
  /** A tree debootstrapped earlier with `vmDebootstrapArgs`, copied instead of running debootstrap (tests share one download). */
  readonly source?: string;
}

/** Runs debootstrap into `target`, streaming its lines as progress. */
async function debootstrap(runner: CommandRunner, options: BuildOptions & { readonly target: string }): Promise<void> {
  options.onProgress({
    type: "step",
    step: "building",
    message: `Running debootstrap for the Debian ${options.suite} VM image (a few minutes).`,
  });
  const result = await runner.run("debootstrap", vmDebootstrapArgs(options), {
    timeoutMs: BUILD_TIMEOUT_MS,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onOutput: progressLines(options.onProgress),
  });
  if (result.exitCode !== 0)
    throw new HostFailureError(
      `debootstrap failed for the Debian ${options.suite} VM image.`,
      result.stderr.slice(-2000),
    );
}

/** Builds the base image and makes it current. */
export async function buildBaseImage(runner: CommandRunner, options: BuildOptions): Promise<BaseImage> {
  const started = Date.now();
  mkdirSync(options.images, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(options.images)) {
    if (entry.includes(".partial-")) rmSync(path.join(options.images, entry), { recursive: true, force: true });
  }
  const id = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
  const final = path.join(options.images, `debian-${options.suite}-${id}`);
  const building = `${final}.partial-${process.pid}`;
  const tree = path.join(building, "tree");
  mkdirSync(tree, { recursive: true });
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  try {
    if (options.cacheDir !== undefined) mkdirSync(options.cacheDir, { recursive: true });
    if (options.source === undefined) await debootstrap(runner, { ...options, target: tree });
    else
      await runChecked(runner, "cp", ["-a", "--", `${options.source}/.`, tree], {
        what: "copy the VM tree",
        timeoutMs: BUILD_TIMEOUT_MS,
        ...signal,
      });
    options.onProgress({
      type: "step",
      step: "installing",
      message: "Adding the first-boot script, sshd settings and a small initrd.",
    });
    customiseTree(tree);
    // The initrd debootstrap made holds every module; rebuild it with the short list.
    await runChecked(runner, "chroot", [tree, "update-initramfs", "-u", "-k", "all"], {
      what: "rebuild the VM initrd",
      timeoutMs: 10 * 60_000,
      ...signal,
    });
    const boot = bootFiles(tree);
    copyFileSync(boot.kernel, path.join(building, "vmlinuz"));
    copyFileSync(boot.initrd, path.join(building, "initrd.img"));
    options.onProgress({
      type: "step",
      step: "installing",
      message: "Making the root file system (mkfs.ext4 -d) and converting it to qcow2.",
    });
    const raw = path.join(building, "root.raw");
    writeFileSync(raw, "");
    truncateSync(raw, BASE_FS_BYTES);
    await runChecked(runner, "mkfs.ext4", ["-q", "-F", "-L", "voxnix-root", "-d", tree, raw], {
      what: "make the VM root file system",
      timeoutMs: 10 * 60_000,
      ...signal,
    });
    await runChecked(
      runner,
      "qemu-img",
      ["convert", "-f", "raw", "-O", "qcow2", raw, path.join(building, "root.qcow2")],
      { what: "convert the VM root to qcow2", timeoutMs: 10 * 60_000, ...signal },
    );
    rmSync(raw, { force: true });
    rmSync(tree, { recursive: true, force: true });
    const image: BaseImage = {
      recipe: IMAGE_RECIPE,
      dir: final,
      suite: options.suite,
      disk: path.join(final, "root.qcow2"),
      kernel: path.join(final, "vmlinuz"),
      initrd: path.join(final, "initrd.img"),
      builtAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      diskBytes: BASE_FS_BYTES,
    };
    // Older images stay: VM overlays name theirs as a backing file.
    renameSync(building, final);
    const pointer = imagePointer(options.images, options.suite);
    writeFileSync(`${pointer}.tmp`, `${JSON.stringify(image, null, 2)}\n`);
    renameSync(`${pointer}.tmp`, pointer);
    options.onProgress({
      type: "step",
      step: "done",
      message: `VM base image ready (${Math.round(image.durationMs / 1000)} s).`,
    });
    return image;
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}
