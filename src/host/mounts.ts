/**
 * Reads the kernel's mount table (`/proc/self/mountinfo`) without running a process, so
 * "is the pool mounted?" is cheap and exact (mount points are compared after unescaping).
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** One mounted file system. */
export interface MountEntry {
  readonly mountpoint: string;
  readonly fstype: string;
  readonly source: string;
}

function unescape(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses mountinfo text into entries. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [left, right] = line.split(" - ");
    if (left === undefined || right === undefined) continue;
    const fields = left.split(" ");
    const tail = right.split(" ");
    const mountpoint = fields[4];
    if (mountpoint === undefined) continue;
    entries.push({ mountpoint: unescape(mountpoint), fstype: tail[0] ?? "", source: unescape(tail[1] ?? "") });
  }
  return entries;
}

/** Every current mount of this process's mount namespace. */
export function readMounts(file = "/proc/self/mountinfo"): MountEntry[] {
  try {
    return parseMountInfo(readFileSync(file, "utf8"));
  } catch {
    return [];
  }
}

/** The mount at exactly `mountpoint` (the last one wins, as the kernel shows the top of a stack), if any. */
export function mountAt(mountpoint: string, entries: readonly MountEntry[] = readMounts()): MountEntry | undefined {
  return entries.filter((entry) => entry.mountpoint === mountpoint).at(-1);
}
