/**
 * Per-container cgroups on a host whose PID 1 is not systemd, so `--property=` (which asks the
 * host's systemd) is unavailable. voxnix creates `voxnix/<id>-<name>` in each hierarchy that
 * matters (the named systemd one and the unified one, where nspawn and the container's systemd
 * create their sub-groups, plus memory and cpu for limits), writes the limits there, and starts
 * nspawn inside it: this process joins the groups, forks nspawn, and moves back, all
 * synchronously, so nothing else is forked in between. Without it, every container would share
 * the root `payload` group nspawn creates.
 *
 * Works with cgroup v1/hybrid hosts (memory.limit_in_bytes, cpu.cfs_quota_us) and pure
 * cgroup v2 hosts (memory.max, cpu.max, when those controllers can be enabled).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseMountInfo } from "../../storage/btrfs/mounts.js";

/** One cgroup hierarchy this process belongs to. */
interface Hierarchy {
  /** `memory`, `cpu`, `name=systemd`, or `unified` for cgroup v2. */
  readonly key: string;
  readonly mountpoint: string;
  /** This process's current group path in the hierarchy. */
  readonly current: string;
}

const WANTED = new Set(["name=systemd", "unified", "memory", "cpu"]);

function hierarchies(): Hierarchy[] {
  let mounts;
  let self;
  try {
    mounts = parseMountInfo(readFileSync("/proc/self/mountinfo", "utf8"));
    self = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return [];
  }
  const result: Hierarchy[] = [];
  for (const line of self.split("\n")) {
    const [, controllers = "", current = ""] = line.split(":");
    if (line.trim() === "") continue;
    const keys = controllers === "" ? ["unified"] : controllers.split(",");
    const key = keys.find((candidate) => WANTED.has(candidate));
    if (key === undefined) continue;
    const mount = mounts.find((entry) =>
      key === "unified" ? entry.fstype === "cgroup2" : entry.fstype === "cgroup" && path.basename(entry.mountpoint).split(",").some((part) => keys.includes(part) || `name=${part}` === key),
    );
    if (mount) result.push({ key, mountpoint: mount.mountpoint, current });
  }
  return result;
}

/** Limits to apply to a container's group. */
export interface CgroupLimits {
  readonly cpus: number;
  readonly memoryBytes: number;
}

/** What the limits became on this host, for `show` and the docs. */
export type EnforcedLimits = Readonly<Record<"memory" | "cpu", boolean>>;

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

/** Creates the container's groups and writes the limits; reports which limits took effect. */
export function prepareCgroups(group: string, limits: CgroupLimits): EnforcedLimits {
  const enforced = { memory: false, cpu: false };
  for (const hierarchy of hierarchies()) {
    const directory = path.join(hierarchy.mountpoint, group);
    try {
      mkdirSync(directory, { recursive: true });
    } catch {
      continue;
    }
    const quota = Math.round(limits.cpus * 100_000);
    if (hierarchy.key === "memory") enforced.memory = tryWrite(path.join(directory, "memory.limit_in_bytes"), String(limits.memoryBytes));
    if (hierarchy.key === "cpu") enforced.cpu = tryWrite(path.join(directory, "cpu.cfs_quota_us"), String(quota));
    if (hierarchy.key === "unified" && !hierarchies().some((other) => other.key === "memory")) {
      // Pure cgroup v2: enable the controllers down the path, then set the limits.
      let parent = hierarchy.mountpoint;
      for (const part of group.split("/")) {
        tryWrite(path.join(parent, "cgroup.subtree_control"), "+memory +cpu");
        parent = path.join(parent, part);
      }
      enforced.memory = tryWrite(path.join(directory, "memory.max"), String(limits.memoryBytes));
      enforced.cpu = tryWrite(path.join(directory, "cpu.max"), `${quota} 100000`);
    }
  }
  return enforced;
}

/** Runs `spawn` with this process temporarily inside the container's groups, so the child starts there. */
export function spawnInCgroups<T>(group: string, spawn: () => T): T {
  const joined: Hierarchy[] = [];
  for (const hierarchy of hierarchies()) {
    if (tryWrite(path.join(hierarchy.mountpoint, group, "cgroup.procs"), String(process.pid))) joined.push(hierarchy);
  }
  try {
    return spawn();
  } finally {
    for (const hierarchy of joined) tryWrite(path.join(hierarchy.mountpoint, hierarchy.current, "cgroup.procs"), String(process.pid));
  }
}

/** Memory charged to the container's group in bytes, when the host reports it. */
export function memoryUsage(group: string): number | undefined {
  for (const hierarchy of hierarchies()) {
    const file = path.join(hierarchy.mountpoint, group, hierarchy.key === "memory" ? "memory.usage_in_bytes" : "memory.current");
    if ((hierarchy.key === "memory" || hierarchy.key === "unified") && existsSync(file)) {
      const value = Number(readFileSync(file, "utf8").trim());
      if (Number.isFinite(value)) return value;
    }
  }
  return undefined;
}

/** Removes the container's groups (deepest first); groups still holding processes stay. */
export function removeCgroups(group: string): void {
  for (const hierarchy of hierarchies()) removeTree(path.join(hierarchy.mountpoint, group));
}

function removeTree(directory: string): void {
  if (!existsSync(directory)) return;
  try {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) removeTree(path.join(directory, entry.name));
    }
    rmdirSync(directory);
  } catch {
    // busy or already gone
  }
}

