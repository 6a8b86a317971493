/**
 * Per-container cgroups on a host whose PID 1 is not systemd, so `--property=` (which asks the
 * host's systemd) is unavailable. voxnix creates `voxnix/<id>-<name>` in each hierarchy that
 * matters (the named systemd one and the unified one, where nspawn and the container's systemd
 * create their sub-groups, plus memory, cpu, pids and devices for limits) and writes the limits
 * there before anything runs in it.
 *
 * voxnix itself never joins a container's group: a tenant's memory limit must never be able to
 * OOM-kill the process that serves everyone. Processes are started inside the group by the
 * launcher (`launcher.ts`), which joins the group and only then executes the program.
 *
 * Every limit must take effect: a host that cannot enforce one (a missing controller, a value
 * the kernel refuses) fails the boot with a message naming the limit, never silently.
 *
 * Works with cgroup v1/hybrid hosts (memory.limit_in_bytes, cpu.cfs_quota_us, pids.max and the
 * devices allow-list) and pure cgroup v2 hosts (memory.max, cpu.max, pids.max). Devices on the
 * v2 side are a BPF program attached to the unified group (`device-program.ts`): the only
 * device control on pure v2, and a second one next to the v1 allow-list on hybrid hosts.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import { parseMountInfo } from "../../host/mounts.js";
import { DEVICE_PROGRAM_FAILED, attachScript, deviceProgram, deviceProgramSupported } from "./device-program.js";

/** One cgroup hierarchy this process belongs to. */
interface Hierarchy {
  /** `memory`, `cpu`, `pids`, `devices`, `name=systemd`, or `unified` for cgroup v2. */
  readonly key: string;
  readonly mountpoint: string;
  /** This process's current group path in the hierarchy. */
  readonly current: string;
}

const WANTED = new Set(["name=systemd", "unified", "memory", "cpu", "pids", "devices"]);
/** Hierarchies that carry limits: exec'd processes join these (v1). */
const LIMIT_KEYS = new Set(["memory", "cpu", "pids", "devices"]);

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
      key === "unified"
        ? entry.fstype === "cgroup2"
        : entry.fstype === "cgroup" &&
          path
            .basename(entry.mountpoint)
            .split(",")
            .some((part) => keys.includes(part) || `name=${part}` === key),
    );
    if (mount) result.push({ key, mountpoint: mount.mountpoint, current });
  }
  return result;
}

/** True when the host runs pure cgroup v2 (no v1 memory hierarchy). */
function pureV2(all: readonly Hierarchy[]): boolean {
  return all.some((hierarchy) => hierarchy.key === "unified") && !all.some((hierarchy) => hierarchy.key === "memory");
}

/** Limits to apply to a container's group. */
export interface CgroupLimits {
  readonly cpus: number;
  readonly memoryBytes: number;
  /** Most processes (and threads) the container may hold at once. */
  readonly pids: number;
}

/** The limits voxnix applies, by name. */
export const LIMIT_NAMES = ["memory", "cpu", "pids", "devices"] as const;
/** One limit's name. */
export type LimitName = (typeof LIMIT_NAMES)[number];

/** How each limit is enforced on this host, for `show` and the docs. */
export type EnforcedLimits = Readonly<Record<LimitName, string>>;

/**
 * The only devices a container may open (v1 devices allow-list): the standard pseudo-devices
 * and terminals. Block devices, the host's disks and loop devices are never among them.
 */
export const DEVICE_ALLOW_LIST = [
  "c 1:3 rwm", // null
  "c 1:5 rwm", // zero
  "c 1:7 rwm", // full
  "c 1:8 rwm", // random
  "c 1:9 rwm", // urandom
  "c 5:0 rwm", // tty
  "c 5:1 rwm", // console
  "c 5:2 rwm", // ptmx
  "c 136:* rwm", // pseudo-terminals
] as const;

function write(file: string, value: string, limit: LimitName | "memory, cpu and pids", hint: string): void {
  try {
    writeFileSync(file, value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = limit.includes(",") ? `${limit} limits` : `${limit} limit`;
    throw new HostFailureError(`The ${what} could not be applied (${hint}), so the container was not started.`, reason);
  }
}

/** The limits this host has no controller for (empty when every limit can be enforced). */
export function missingControllers(): LimitName[] {
  const all = hierarchies();
  if (pureV2(all)) return deviceProgramSupported() ? [] : ["devices"];
  const keys = new Set(all.map((hierarchy) => hierarchy.key));
  // A hybrid host without the v1 devices controller still gets the v2 device program.
  if (keys.has("unified") && deviceProgramSupported()) keys.add("devices");
  return LIMIT_NAMES.filter((name) => !keys.has(name));
}

/** How the v2 device program went: attached (the kernel lists it on the group), or why not. */
type DeviceProgramOutcome = { readonly attached: true } | { readonly attached: false; readonly why: string };

/** Loads the device program and attaches it to the unified group `directory` (see `device-program.ts`). */
async function attachDeviceProgram(runner: CommandRunner, directory: string): Promise<DeviceProgramOutcome> {
  if (!deviceProgramSupported()) return { attached: false, why: `no device program for ${process.arch}` };
  const result = await runner.run(
    "/usr/bin/perl",
    ["-e", attachScript(deviceProgram(DEVICE_ALLOW_LIST)), "--", directory],
    { timeoutMs: 10_000, isolatedEnv: true, env: {} },
  );
  if (result.exitCode === 0 && /^attached [1-9]/.test(result.stdout)) return { attached: true };
  const why =
    result.stderr.replace(/^voxnix: device program: /, "").trim() ||
    (result.exitCode === DEVICE_PROGRAM_FAILED ? "refused" : `exit ${result.exitCode ?? result.signal}`);
  return { attached: false, why };
}

/** What `show` says about the v2 device program. */
export const DEVICE_PROGRAM_ENFORCED = "cgroup v2 device program (BPF)";

/**
 * Creates the container's groups and writes every limit, including the device rules (v1
 * allow-list and/or the v2 device program); throws when one cannot take effect (the caller
 * removes the groups).
 */
export async function prepareCgroups(
  runner: CommandRunner,
  group: string,
  limits: CgroupLimits,
): Promise<EnforcedLimits> {
  const all = hierarchies();
  const quota = Math.round(limits.cpus * 100_000);
  const enforced: Partial<Record<LimitName, string>> = {};
  for (const hierarchy of all) {
    const directory = path.join(hierarchy.mountpoint, group);
    mkdirSync(directory, { recursive: true });
    if (hierarchy.key === "memory") {
      write(
        path.join(directory, "memory.limit_in_bytes"),
        String(limits.memoryBytes),
        "memory",
        `${limits.memoryBytes} bytes`,
      );
      enforced.memory = "cgroup v1 memory.limit_in_bytes";
    }
    if (hierarchy.key === "cpu") {
      write(path.join(directory, "cpu.cfs_period_us"), "100000", "cpu", "period 100 ms");
      write(path.join(directory, "cpu.cfs_quota_us"), String(quota), "cpu", `${limits.cpus} CPUs`);
      enforced.cpu = "cgroup v1 cpu.cfs_quota_us";
    }
    if (hierarchy.key === "pids") {
      write(path.join(directory, "pids.max"), String(limits.pids), "pids", `${limits.pids} processes`);
      enforced.pids = "cgroup v1 pids.max";
    }
    if (hierarchy.key === "devices") {
      write(path.join(directory, "devices.deny"), "a", "devices", "deny all");
      for (const rule of DEVICE_ALLOW_LIST) write(path.join(directory, "devices.allow"), rule, "devices", rule);
      enforced.devices = "cgroup v1 devices allow-list";
    }
    if (hierarchy.key === "unified" && pureV2(all)) {
      // Enable the controllers down the path, then set the limits on the group.
      let parent = hierarchy.mountpoint;
      for (const part of group.split("/")) {
        // One write enables all three or none (the kernel refuses the whole line), so name all three.
        write(
          path.join(parent, "cgroup.subtree_control"),
          "+memory +cpu +pids",
          "memory, cpu and pids",
          `enable their controllers in ${parent}`,
        );
        parent = path.join(parent, part);
      }
      write(path.join(directory, "memory.max"), String(limits.memoryBytes), "memory", `${limits.memoryBytes} bytes`);
      write(path.join(directory, "cpu.max"), `${quota} 100000`, "cpu", `${limits.cpus} CPUs`);
      write(path.join(directory, "pids.max"), String(limits.pids), "pids", `${limits.pids} processes`);
      enforced.memory = "cgroup v2 memory.max";
      enforced.cpu = "cgroup v2 cpu.max";
      enforced.pids = "cgroup v2 pids.max";
    }
  }
  const unified = all.find((hierarchy) => hierarchy.key === "unified");
  if (unified !== undefined) {
    const program = await attachDeviceProgram(runner, path.join(unified.mountpoint, group));
    if (program.attached)
      enforced.devices =
        enforced.devices === undefined ? DEVICE_PROGRAM_ENFORCED : `${enforced.devices} and ${DEVICE_PROGRAM_ENFORCED}`;
    else if (enforced.devices === undefined) {
      throw new HostFailureError(
        "The devices limit could not be applied (the cgroup v2 device program was refused), so the container was not started.",
        program.why,
      );
    } else enforced.devices = `${enforced.devices} (the cgroup v2 device program was refused: ${program.why})`;
  }
  const missing = LIMIT_NAMES.filter((name) => enforced[name] === undefined);
  if (missing.length > 0) {
    throw new HostFailureError(
      `This host cannot enforce the ${missing.join(", ")} limit${missing.length > 1 ? "s" : ""}: the cgroup controller${missing.length > 1 ? "s are" : " is"} not mounted. Mount ${missing.join(", ")} (cgroup v1) or use cgroup v2, then try again.`,
    );
  }
  return enforced as EnforcedLimits;
}

/**
 * Changes the memory, CPU and process limits of a running container's existing groups in
 * place (the kernel applies them at once); the device rules stay as they are. Throws when a
 * group is missing or a limit is refused, having written the limits before it.
 */
export function resizeCgroups(group: string, limits: CgroupLimits): void {
  const all = hierarchies();
  const quota = Math.round(limits.cpus * 100_000);
  const write = (file: string, value: string, limit: LimitName): void => {
    try {
      writeFileSync(file, value);
    } catch (error) {
      throw new HostFailureError(
        `The ${limit} limit could not be changed to ${value.split(" ")[0]} while the container runs.`,
        error instanceof Error ? error.message : String(error),
      );
    }
  };
  for (const hierarchy of all) {
    const directory = path.join(hierarchy.mountpoint, group);
    if (!["memory", "cpu", "pids", "unified"].includes(hierarchy.key)) continue;
    if (!existsSync(directory))
      throw new HostFailureError(`The limits cannot change: the container's control group ${directory} is missing.`);
    if (hierarchy.key === "memory")
      write(path.join(directory, "memory.limit_in_bytes"), String(limits.memoryBytes), "memory");
    if (hierarchy.key === "cpu") write(path.join(directory, "cpu.cfs_quota_us"), String(quota), "cpu");
    if (hierarchy.key === "pids") write(path.join(directory, "pids.max"), String(limits.pids), "pids");
    if (hierarchy.key === "unified" && pureV2(all)) {
      write(path.join(directory, "memory.max"), String(limits.memoryBytes), "memory");
      write(path.join(directory, "cpu.max"), `${quota} 100000`, "cpu");
      write(path.join(directory, "pids.max"), String(limits.pids), "pids");
    }
  }
}

/**
 * The `cgroup.procs` files a process must join to be inside the container's group: every
 * hierarchy for nspawn itself, only the limit hierarchies for an exec'd command (the container's
 * own systemd manages the named and unified trees below the group). On pure cgroup v2 a command
 * joins the `exec` leaf, since the group itself holds no processes once nspawn delegated it.
 */
export function cgroupProcsFiles(group: string, purpose: "nspawn" | "exec"): string[] {
  const all = hierarchies();
  if (pureV2(all)) {
    const unified = all.find((hierarchy) => hierarchy.key === "unified");
    if (unified === undefined) return [];
    if (purpose === "nspawn") return [path.join(unified.mountpoint, group, "cgroup.procs")];
    const leaf = path.join(unified.mountpoint, group, "exec");
    mkdirSync(leaf, { recursive: true });
    return [path.join(leaf, "cgroup.procs")];
  }
  return all
    .filter((hierarchy) => purpose === "nspawn" || LIMIT_KEYS.has(hierarchy.key))
    .map((hierarchy) => path.join(hierarchy.mountpoint, group, "cgroup.procs"));
}

/** Memory charged to the container's group in bytes, when the host reports it. */
export function memoryUsage(group: string): number | undefined {
  for (const hierarchy of hierarchies()) {
    const file = path.join(
      hierarchy.mountpoint,
      group,
      hierarchy.key === "memory" ? "memory.usage_in_bytes" : "memory.current",
    );
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
