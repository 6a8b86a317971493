/**
 * A container's root file system: a writable btrfs snapshot of the base image (near-free),
 * or an overlayfs whose lower layer is the base image where the root is not on btrfs. Also
 * the per-container files written into it before every boot (hostname, machine id, network,
 * module settings).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContainerSpec } from "../../domain/spec.js";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { mountAt } from "../../host/mounts.js";
import { runChecked } from "../../host/commands.js";
import { networkdConfig, type Subnet } from "./network.js";
import type { MachinePaths } from "./paths.js";

const BTRFS_MAGIC = 0x9123683e;

/** True when `directory` is on a btrfs file system. */
export function onBtrfs(directory: string): boolean {
  try {
    return statfsSync(directory).type === BTRFS_MAGIC;
  } catch {
    return false;
  }
}

/** How a root was made, recorded so start and destroy undo the right thing. */
export type RootKind = "snapshot" | "overlay";

/** Where a root's writes are charged: the owner's quota group on the pool mounted at `pool`. */
export interface RootAccounting {
  readonly quotaGroup: string;
  readonly pool: string;
}

/** A created root, and the quota recount it may still be waiting for. */
export interface CreatedRoot {
  readonly kind: RootKind;
  /** Resolves once btrfs's quota numbers include the root again; await it before reporting success. */
  readonly accounted: Promise<void>;
}

/**
 * Creates the container's root from the image. With `accounting`, the snapshot joins the
 * owner's quota group, so everything the tenant writes to the root counts against their quota.
 * A snapshot joining a group its source is not in leaves btrfs's quota numbers inconsistent
 * until a rescan (measured: writes then go uncounted), so a rescan starts at once and runs
 * while the container boots; `accounted` settles when it finished (about 0.3 s with a few
 * containers, growing with the pool's metadata).
 */
export async function createRoot(runner: CommandRunner, machine: MachinePaths, image: string, accounting?: RootAccounting): Promise<CreatedRoot> {
  mkdirSync(path.dirname(machine.root), { recursive: true });
  if (onBtrfs(path.dirname(machine.root)) && onBtrfs(image)) {
    const into = accounting === undefined ? [] : ["-i", accounting.quotaGroup];
    await runChecked(runner, "btrfs", ["subvolume", "snapshot", ...into, image, machine.root], { what: "snapshot the base image" });
    const accounted = accounting === undefined ? Promise.resolve() : rescanQuotas(runner, accounting.pool);
    // Observed by the caller later; a rejection must not surface as unhandled meanwhile.
    accounted.catch(() => undefined);
    return { kind: "snapshot", accounted };
  }
  mkdirSync(machine.upper, { recursive: true });
  mkdirSync(machine.work, { recursive: true });
  mkdirSync(machine.root, { recursive: true });
  writeFileSync(path.join(machine.run, "lower"), `${image}\n`);
  await mountOverlay(runner, machine);
  return { kind: "overlay", accounted: Promise.resolve() };
}

/**
 * Recounts btrfs quotas and waits for the recount. A recount another create started earlier
 * may not include this root, so when one is already running, this waits for it (`-W`) and
 * then runs its own.
 */
async function rescanQuotas(runner: CommandRunner, pool: string): Promise<void> {
  const options = { what: "recount disk quotas after adding the root", timeoutMs: 10 * 60_000 };
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await runner.run("btrfs", ["quota", "rescan", "-w", pool], { timeoutMs: options.timeoutMs });
    if (started.exitCode === 0) return;
    if (!/in progress|busy/i.test(started.stderr)) break;
    await runner.run("btrfs", ["quota", "rescan", "-W", pool], { timeoutMs: options.timeoutMs });
  }
  await runChecked(runner, "btrfs", ["quota", "rescan", "-w", pool], options);
}

/** Mounts the overlay root if it is not mounted (after a host reboot, before every start). */
export async function mountOverlay(runner: CommandRunner, machine: MachinePaths): Promise<void> {
  if (mountAt(machine.root)?.fstype === "overlay") return;
  const lower = readFileSync(path.join(machine.run, "lower"), "utf8").trim();
  await runChecked(runner, "mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${machine.upper},workdir=${machine.work}`, machine.root], {
    what: "mount the container's overlay root",
  });
}

/** The kind of an existing root. */
export function rootKind(machine: MachinePaths): RootKind {
  return existsSync(path.join(machine.run, "lower")) ? "overlay" : "snapshot";
}

/** Deletes the root, nested subvolumes first (systemd inside creates some, e.g. /var/lib/machines). */
export async function deleteRoot(runner: CommandRunner, machine: MachinePaths, btrfsTop?: string): Promise<void> {
  if (mountAt(machine.root) !== undefined) {
    await runChecked(runner, "umount", [machine.root], { what: "unmount the container's root" });
  }
  if (existsSync(machine.root) && onBtrfs(machine.root) && existsSync(path.join(machine.root, "etc"))) {
    await deleteSubvolumeTree(runner, machine.root, btrfsTop);
  }
  rmSync(machine.root, { recursive: true, force: true });
  rmSync(path.dirname(machine.upper), { recursive: true, force: true });
  // nspawn's lock file beside the root, left behind when nspawn itself was killed.
  rmSync(path.join(path.dirname(machine.root), `.#${path.basename(machine.root)}.lck`), { force: true });
}

async function deleteSubvolumeTree(runner: CommandRunner, target: string, btrfsTop?: string): Promise<void> {
  const listed = await runner.run("btrfs", ["subvolume", "list", "-o", target], { timeoutMs: 30_000 });
  if (listed.exitCode === 0 && btrfsTop !== undefined) {
    const nested = listed.stdout
      .split("\n")
      .map((line) => /\spath\s(.+)$/.exec(line)?.[1])
      .filter((relative): relative is string => relative !== undefined)
      .map((relative) => path.join(btrfsTop, relative.replace(/^<FS_TREE>\//, "")))
      .sort((a, b) => b.length - a.length);
    for (const child of nested) if (existsSync(child)) await deleteSubvolumeTree(runner, child, btrfsTop);
  }
  const deleted = await runner.run("btrfs", ["subvolume", "delete", target], { timeoutMs: 60_000 });
  if (deleted.exitCode !== 0 && existsSync(target)) {
    // Not a subvolume root (e.g. a plain copy): remove it as a directory.
    rmSync(target, { recursive: true, force: true });
  }
}

/** What a boot gives the container besides its root. */
export interface RootSettings {
  readonly spec: ContainerSpec;
  readonly network?: { readonly interfaceName: string; readonly address: string; readonly subnet: Subnet };
}

/** The per-container files every boot provides, by their path inside the container, for `--dry-run`. */
export function rootFiles(settings: RootSettings): { readonly path: string; readonly content: string }[] {
  const { spec } = settings;
  const files = [
    { path: "/etc/hostname", content: `${spec.name}\n` },
    { path: "/etc/hosts", content: `127.0.0.1 localhost\n127.0.1.1 ${spec.name}\n::1 localhost ip6-localhost ip6-loopback\n` },
    { path: "/etc/voxnix/modules", content: `${spec.modules.join("\n")}\n` },
  ];
  if (settings.network) files.push({ path: "/etc/systemd/network/80-voxnix.network", content: networkdConfig(settings.network) });
  return files;
}

/** A host file bind-mounted read-only at a path inside the container. */
export interface BootFile {
  readonly hostPath: string;
  readonly containerPath: string;
}

/**
 * Writes the per-container files into the container's host-side run directory (which the
 * container cannot reach) and returns them as read-only binds for nspawn. The host never
 * writes, reads or deletes a path inside the tenant's root: a symlink planted there cannot
 * redirect a host write, because nspawn resolves each bind's destination inside the root.
 */
export function writeBootFiles(machine: MachinePaths, settings: RootSettings): BootFile[] {
  const directory = path.join(machine.run, "files");
  rmSync(directory, { recursive: true, force: true });
  return rootFiles(settings).map((file) => {
    const hostPath = path.join(directory, file.path);
    mkdirSync(path.dirname(hostPath), { recursive: true });
    writeFileSync(hostPath, file.content, { mode: 0o644 });
    return { hostPath, containerPath: file.path };
  });
}

/**
 * Makes the root safe for nspawn to open before boot. nspawn reads `/etc/machine-id` from the
 * root on the host side by plain path, so a symlink planted there would be followed into the
 * host (or another tenant's files). Runs only while the container is stopped, when nothing of
 * the tenant can swap a path between the check and the repair: `/etc` must be a real
 * directory, and a machine-id that is not a regular file is replaced by an empty one (created
 * exclusively, so it never follows a link), from which the container derives its id again.
 * The top directory's owner must be in the same 64K id range as `/etc` (see `restoreTopOwner`).
 */
export function prepareRootForBoot(root: string, bindTargets: readonly string[] = []): void {
  for (const target of bindTargets) removePlantedLinks(root, target);
  const etc = path.join(root, "etc");
  let etcStat;
  try {
    etcStat = lstatSync(etc);
  } catch {
    throw new HostFailureError(`The container's root has no /etc, so it cannot boot.`);
  }
  if (!etcStat.isDirectory()) throw new HostFailureError(`The container's /etc is not a directory (a symlink?), so voxnix will not boot it.`);
  restoreTopOwner(root, etcStat);
  const machineId = path.join(etc, "machine-id");
  let stat;
  try {
    stat = lstatSync(machineId);
  } catch {
    return;
  }
  if (stat.isFile()) return;
  rmSync(machineId, { recursive: true, force: true });
  writeFileSync(machineId, "", { flag: "wx", mode: 0o444 });
}

/** The first id of the 64K range `id` falls in (nspawn gives each container one such range). */
const rangeOf = (id: number): number => id - (id % 0x10000);

/**
 * nspawn reads a root's id range off its top directory: owned by host root, it maps the tree with
 * an idmapped mount and touches nothing; owned by another range, it takes that range or, when the
 * range is unusable, chowns the whole tree into a new one. Before user namespaces a tenant was the
 * host's root and could chown their own `/` (measured: `chown 131072 /` made the next start chown
 * every file of the root into a fresh range and leave it chowned). The tree's real owner is what
 * `/etc` says (host root for a root made from the image, the picked range for one nspawn chowned
 * once), so a top directory in another range is given back to that owner. An owner inside the
 * same range (a tenant's `chown 1000 /` under user namespaces) is the tenant's own business.
 */
function restoreTopOwner(root: string, etc: { readonly uid: number }): void {
  const top = lstatSync(root);
  const owner = rangeOf(etc.uid);
  if (rangeOf(top.uid) !== owner || rangeOf(top.gid) !== owner) lchownSync(root, owner, owner);
}

/**
 * Removes symlinks on the way to a path inside a stopped container's root (each component is
 * checked with `lstat`, top-down, and a symlink is unlinked, never followed), so nspawn mounts
 * voxnix's boot files where the container expects them. Not needed for safety (nspawn resolves
 * bind destinations inside the root), but a planted link would otherwise point two binds at one
 * file and leave the tenant with a confusing container.
 */
function removePlantedLinks(root: string, inside: string): void {
  let current = root;
  for (const part of inside.split("/").filter(Boolean)) {
    current = path.join(current, part);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) {
      rmSync(current, { force: true });
      return;
    }
    if (!stat.isDirectory()) return;
  }
}

/**
 * The container's stable UUID (kept in the run directory): nspawn hands it to the container,
 * whose systemd derives `/etc/machine-id` from it, so the host never writes that file.
 */
export function machineUuid(machine: MachinePaths): string {
  const file = path.join(machine.run, "uuid");
  try {
    const recorded = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f]{32}$/.test(recorded)) return recorded;
  } catch {
    // first boot
  }
  const uuid = randomBytes(16).toString("hex");
  writeFileSync(file, `${uuid}\n`);
  return uuid;
}
