/**
 * The host id range a container's root is owned by, where the storage cannot leave the mapping
 * to nspawn (an overlay root; see `directory-roots.ts`). voxnix picks the range at create and
 * the root keeps it on disk; nspawn, started with `--private-users=pick`, reads the range off
 * the root's top directory and reuses it (taking its lock in `/run/systemd/nspawn-uid/`), so
 * nothing is chowned at boot.
 *
 * The range is drawn at random from nspawn's own pick window (systemd's default build:
 * 0x00080000–0x6FFF0000; nspawn reuses a range it finds on a root only inside that window),
 * avoiding ranges this installation's containers hold (recorded in `run/<name>/id-range`),
 * ranges another nspawn holds right now (its lock files), and ranges the host's user database
 * or its subordinate id ranges (`/etc/subuid`, `/etc/subgid`: a host user could enter those
 * ids through `newuidmap`) touch. A container of another installation, or a btrfs container,
 * may still draw the same range later; nspawn's lock then keeps the two from running in one
 * range at once (the later one gets a fresh range and chowns its root once, as before).
 *
 * @module
 */
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { MachinePaths, NspawnPaths } from "./paths.js";

const RANGE = 0x10000;
/** nspawn's pick window (systemd's `container-uid-base-min`/`-max` defaults). */
export const NSPAWN_PICK_MIN = 0x00080000;
export const NSPAWN_PICK_MAX = 0x6fff0000;
/** Where nspawn locks the range of each container it runs. */
const NSPAWN_LOCKS = "/run/systemd/nspawn-uid";

/** Where a picked range is recorded for a container (host side, in its run directory). */
export function idRangeFile(machine: MachinePaths): string {
  return path.join(machine.run, "id-range");
}

/** The range a container holds, if one was recorded. */
export function recordedIdRange(machine: MachinePaths): number | undefined {
  try {
    const value = Number(readFileSync(idRangeFile(machine), "utf8").trim());
    return Number.isInteger(value) && value >= NSPAWN_PICK_MIN && value % RANGE === 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Host files the picker reads; tests point them elsewhere. */
export interface IdRangeSources {
  readonly locks?: string;
  readonly passwd?: string;
  readonly group?: string;
  readonly subuid?: string;
  readonly subgid?: string;
  /** A random index in [0, n); `crypto.randomInt` by default. */
  readonly random?: (n: number) => number;
}

const rangeOf = (id: number): number => id - (id % RANGE);

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

function listNames(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

/** Every 64K range something on the host already uses (see the module comment). */
export function takenIdRanges(paths: NspawnPaths, sources: IdRangeSources = {}): Set<number> {
  const taken = new Set<number>();
  for (const name of listNames(paths.run)) {
    try {
      taken.add(rangeOf(Number(readFileSync(path.join(paths.run, name, "id-range"), "utf8").trim())));
    } catch {
      // no range recorded
    }
  }
  for (const name of listNames(sources.locks ?? NSPAWN_LOCKS)) if (/^\d+$/.test(name)) taken.add(rangeOf(Number(name)));
  // passwd: name:x:uid:gid:…, group: name:x:gid:…
  for (const [file, fields] of [
    [sources.passwd ?? "/etc/passwd", [2, 3]],
    [sources.group ?? "/etc/group", [2]],
  ] as const) {
    for (const line of readLines(file)) {
      const parts = line.split(":");
      for (const field of fields) if (/^\d+$/.test(parts[field] ?? "")) taken.add(rangeOf(Number(parts[field])));
    }
  }
  // subuid/subgid: name:start:count, any ranges it overlaps.
  for (const file of [sources.subuid ?? "/etc/subuid", sources.subgid ?? "/etc/subgid"]) {
    for (const line of readLines(file)) {
      const [, start, count] = line.split(":");
      if (!/^\d+$/.test(start ?? "") || !/^\d+$/.test(count ?? "") || Number(count) === 0) continue;
      const last = Math.min(Number(start) + Number(count) - 1, NSPAWN_PICK_MAX + RANGE);
      for (let range = rangeOf(Number(start)); range <= last; range += RANGE) taken.add(range);
    }
  }
  return taken;
}

/**
 * Picks a free range and records it for `machine` (created exclusively, so a second pick for
 * the same container fails). Undefined when 64 draws found nothing free: the root is then
 * owned by host root and nspawn maps it its own way.
 */
export function reserveIdRange(
  paths: NspawnPaths,
  machine: MachinePaths,
  sources: IdRangeSources = {},
): number | undefined {
  const taken = takenIdRanges(paths, sources);
  const slots = (NSPAWN_PICK_MAX - NSPAWN_PICK_MIN) / RANGE + 1;
  const random = sources.random ?? ((n: number) => randomInt(n));
  for (let attempt = 0; attempt < 64; attempt++) {
    const candidate = NSPAWN_PICK_MIN + random(slots) * RANGE;
    if (taken.has(candidate)) continue;
    writeFileSync(idRangeFile(machine), `${candidate}\n`, { flag: "wx" });
    return candidate;
  }
  return undefined;
}

/** Forgets a container's range (its root did not take it). */
export function releaseIdRange(machine: MachinePaths): void {
  rmSync(idRangeFile(machine), { force: true });
}
