/**
 * What the backend adds to a container's root (a root volume the storage port cloned from the
 * base image): the per-container files every boot provides as read-only binds (hostname,
 * network, module settings), the checks before nspawn opens the root, and the machine UUID.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContainerSpec } from "../../domain/spec.js";
import { HostFailureError } from "../../domain/errors.js";
import { networkdConfig, type Subnet } from "./network.js";
import type { MachinePaths } from "./paths.js";

/**
 * Before the root volume moved into the storage port, an overlay root recorded its image in
 * the run directory (`run/<name>/lower`); the port's overlay keeps that record in the root's
 * layers. Moves an old record there once, so containers created before keep booting.
 */
export function adoptOverlayRecord(machine: MachinePaths): void {
  const old = path.join(machine.run, "lower");
  const current = path.join(machine.layers, "lower");
  if (!existsSync(old) || existsSync(current) || !existsSync(machine.layers)) return;
  writeFileSync(current, readFileSync(old, "utf8"));
  rmSync(old, { force: true });
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
    {
      path: "/etc/hosts",
      content: `127.0.0.1 localhost\n127.0.1.1 ${spec.name}\n::1 localhost ip6-localhost ip6-loopback\n`,
    },
    { path: "/etc/voxnix/modules", content: `${spec.modules.join("\n")}\n` },
  ];
  if (settings.network)
    files.push({ path: "/etc/systemd/network/80-voxnix.network", content: networkdConfig(settings.network) });
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
  if (!etcStat.isDirectory())
    throw new HostFailureError(`The container's /etc is not a directory (a symlink?), so voxnix will not boot it.`);
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
