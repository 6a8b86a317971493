/**
 * The per-VM disks and keys, made on the host without mounting anything: a qcow2 overlay on
 * the base image, the seed (a tar archive of `seedFiles`), an ext4 workspace disk made with
 * `mkfs.ext4` on a sparse file (its size is the limit), and the two SSH key pairs.
 *
 * The host only ever writes these files before the guest first sees them; after that their
 * contents are the guest's and the host never mounts, checks or reads inside them.
 *
 * @module
 */
import {
  chmodSync,
  closeSync,
  constants,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { runChecked } from "../../host/commands.js";
import { seedFiles, type SeedKeys } from "./guest-files.js";
import type { VmPaths } from "./paths.js";
import { hostKeyAlias } from "./ssh.js";

/** `qemu-img create` argv for the overlay. */
export function overlayArgs(base: string, overlay: string, sizeBytes: number): string[] {
  return ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, overlay, String(sizeBytes)];
}

/** `mkfs.ext4` argv for a fresh workspace disk. */
export function workspaceMkfsArgs(file: string): string[] {
  return ["-q", "-F", "-L", "voxnix-work", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", file];
}

/** Generates an ed25519 key pair at `file` (and `file.pub`). */
async function keyPair(
  runner: CommandRunner,
  file: string,
  comment: string,
): Promise<{ readonly privateKey: string; readonly publicKey: string }> {
  await runChecked(runner, "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], {
    what: "generate an SSH key",
  });
  return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim() };
}

/** Makes the overlay on `baseDisk`. */
export async function createOverlay(
  runner: CommandRunner,
  baseDisk: string,
  paths: VmPaths,
  spec: VmSpec,
): Promise<void> {
  await runChecked(runner, "qemu-img", overlayArgs(baseDisk, paths.overlay, spec.diskBytes), {
    what: "create the VM's root disk",
  });
}

/**
 * Generates the client key (kept) and the guest's host key (only inside the seed), writes the
 * seed and the pinned known_hosts entry.
 */
export async function createSeed(runner: CommandRunner, paths: VmPaths, spec: VmSpec): Promise<void> {
  const client = await keyPair(runner, paths.clientKey, `voxnix@${spec.name}`);
  const work = path.join(paths.dir, "seed.d");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { mode: 0o700 });
  try {
    const host = await keyPair(runner, path.join(work, "host-key"), `root@${spec.name}`);
    const keys: SeedKeys = { hostPrivate: host.privateKey, hostPublic: host.publicKey, clientPublic: client.publicKey };
    const files = seedFiles(spec, keys);
    rmSync(path.join(work, "host-key"));
    rmSync(path.join(work, "host-key.pub"));
    for (const file of files) {
      writeFileSync(path.join(work, file.path), file.content, { mode: file.mode, flag: "wx" });
      chmodSync(path.join(work, file.path), file.mode);
    }
    await runChecked(
      runner,
      "tar",
      [
        "--create",
        "--format=ustar",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        `--file=${paths.seed}`,
        "-C",
        work,
        "--",
        ...files.map((file) => file.path),
      ],
      { what: "write the VM's seed disk" },
    );
    chmodSync(paths.seed, 0o600);
    const [type, blob] = host.publicKey.split(" ");
    writeFileSync(paths.knownHosts, `${hostKeyAlias(spec.name)} ${type} ${blob}\n`, { mode: 0o600 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes the workspace disk unless it exists (a restart, or a restore that brought it back);
 * resolves true when it made one. An existing path must be a regular file, never a link.
 */
export async function ensureWorkspaceDisk(runner: CommandRunner, file: string, sizeBytes: number): Promise<boolean> {
  try {
    const stat = lstatSync(file);
    if (!stat.isFile())
      throw new HostFailureError("The VM's workspace disk is not a regular file; refusing to use it.", file);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
  try {
    await runChecked(runner, "mkfs.ext4", workspaceMkfsArgs(file), {
      what: "format the VM's workspace disk",
      timeoutMs: 120_000,
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
  return true;
}
