/**
 * Runs containers as supervised processes: `systemd-nspawn --boot` started detached (its own
 * session, console to `console.log`) so it outlives the voxnix process that started it, with
 * its pid and start time in `<root>/run/<name>/`. Liveness is read from `/proc`, so checking
 * twenty containers costs twenty small file reads and no processes.
 *
 * The long-lived nspawn process cannot go through the `CommandRunner` (which waits for exit
 * and kills on timeout), so this is the one place the backend forks directly.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { closeSync, lstatSync, openSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import { cgroupProcsFiles } from "./cgroups.js";
import { READY_FILE } from "./image.js";
import { LAUNCHER_SHELL, launcherArgs } from "./launcher.js";
import type { MachinePaths } from "./paths.js";

/** systemd powers off cleanly on SIGRTMIN+4 (34 + 4 with glibc's SIGRTMIN on Linux). */
export const POWEROFF_SIGNAL = 38;
const POLL_MS = 25;

function readNumber(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `pid` is for a container whose root is `machineRoot`:
 * - `nspawn`: a live process whose argv boots that root (nspawn, or the launcher about to become it);
 * - `changing`: alive, but its argv reads empty. The kernel shows no argv while a process swaps its
 *   program (between the old and the new one during `execve`) and once it has released its memory
 *   on the way out (while it still holds its files, locks and namespaces). Neither is "gone":
 *   reading that as an exit made a freshly launched container look as if it had died, and let
 *   a restart boot while the old nspawn still held the root's lock;
 * - `gone`: no such process, a zombie, or a pid now used by an unrelated program.
 */
export type NspawnProcessState = "nspawn" | "changing" | "gone";

/** Reads `/proc/<pid>` once; see `NspawnProcessState`. */
export function nspawnProcessState(pid: number, machineRoot: string): NspawnProcessState {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X" || state === "x") return "gone";
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline === "") return "changing";
    return cmdline.split("\0").includes(`--directory=${machineRoot}`) ? "nspawn" : "gone";
  } catch {
    return "gone";
  }
}

/** True when `pid` is a live (not zombie) systemd-nspawn booting `machineRoot`. */
export function isNspawnFor(pid: number, machineRoot: string): boolean {
  return nspawnProcessState(pid, machineRoot) === "nspawn";
}

/** The running nspawn pid of a container, if it is running. */
export function runningPid(machine: MachinePaths): number | undefined {
  const pid = readNumber(machine.pidFile);
  return pid !== undefined && isNspawnFor(pid, machine.root) ? pid : undefined;
}

/** The container's PID 1 (nspawn's child in a new PID namespace), once it exists. */
export function findLeader(nspawnPid: number): number | undefined {
  let ownNamespace: string;
  try {
    ownNamespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
  try {
    for (const task of readdirSync(`/proc/${nspawnPid}/task`)) {
      const children = readFileSync(`/proc/${nspawnPid}/task/${task}/children`, "utf8").trim();
      for (const child of children.split(" ").filter(Boolean)) {
        if (readlinkSync(`/proc/${child}/ns/pid`) !== ownNamespace) return Number(child);
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The leader recorded at boot, still checked against the live process tree. */
export function currentLeader(machine: MachinePaths, nspawnPid: number): number | undefined {
  const recorded = readNumber(machine.leaderFile);
  if (recorded !== undefined && findLeader(nspawnPid) === recorded) return recorded;
  return findLeader(nspawnPid);
}

/**
 * True once the container's systemd reached multi-user (the readiness unit ran). Read with
 * `lstat` only, so a symlink the tenant planted at `/run` or at the file is never followed
 * into the host's file system (a path under `/proc/<pid>/root` resolves absolute symlinks
 * against the host's root).
 */
export function isBooted(leader: number): boolean {
  try {
    const directory = path.dirname(`/proc/${leader}/root/${READY_FILE}`);
    return lstatSync(directory).isDirectory() && lstatSync(`/proc/${leader}/root/${READY_FILE}`).isFile();
  } catch {
    return false;
  }
}

/**
 * Starts nspawn detached inside the container's cgroups (through the launcher, so this process
 * never joins them) and records its pid. The launcher `exec`s nspawn, so the pid is nspawn's.
 */
export function spawnNspawn(machine: MachinePaths, args: readonly string[], cgroup: string): number {
  const output = openSync(machine.console, "a");
  try {
    const child = spawn(LAUNCHER_SHELL, launcherArgs(cgroupProcsFiles(cgroup, "nspawn"), ["systemd-nspawn", ...args]), {
      detached: true,
      stdio: ["ignore", output, output],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    });
    child.on("error", () => undefined);
    child.unref();
    if (child.pid === undefined) throw new HostFailureError("Could not start systemd-nspawn.");
    writeFileSync(machine.pidFile, `${child.pid}\n`);
    writeFileSync(machine.startedFile, `${new Date().toISOString()}\n`);
    return child.pid;
  } finally {
    closeSync(output);
  }
}

/** The last lines of the console log, for error messages. */
export function consoleTail(machine: MachinePaths, lines = 8): string {
  try {
    return readFileSync(machine.console, "utf8")
      .replace(/\u001b\[[0-9;]*m/g, "")
      .trim()
      .split("\n")
      .slice(-lines)
      .join("\n");
  } catch {
    return "";
  }
}

/** Waits until the container booted; returns the leader pid. */
export async function waitForBoot(
  machine: MachinePaths,
  nspawnPid: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (nspawnProcessState(nspawnPid, machine.root) === "gone") {
      throw new HostFailureError(`The container exited while booting.`, consoleTail(machine));
    }
    const leader = findLeader(nspawnPid);
    if (leader !== undefined && isBooted(leader)) {
      writeFileSync(machine.leaderFile, `${leader}\n`);
      return leader;
    }
    await sleep(POLL_MS);
  }
  throw new TimeoutError(`The container did not finish booting within ${Math.round(timeoutMs / 1000)} s.`, timeoutMs);
}

function signalProcess(pid: number | undefined, signal: NodeJS.Signals | number): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function waitForExit(pid: number, machineRoot: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (nspawnProcessState(pid, machineRoot) === "gone") return true;
    await sleep(POLL_MS);
  }
  return nspawnProcessState(pid, machineRoot) === "gone";
}

/** Clean poweroff (SIGRTMIN+4 to the container's systemd), then kill after `timeoutMs`. Returns true when it shut down cleanly. */
export async function stopNspawn(machine: MachinePaths, nspawnPid: number, timeoutMs: number): Promise<boolean> {
  const leader = currentLeader(machine, nspawnPid);
  if (leader === undefined) signalProcess(nspawnPid, "SIGTERM");
  else signalProcess(leader, POWEROFF_SIGNAL);
  if (await waitForExit(nspawnPid, machine.root, timeoutMs)) return true;
  await killNspawn(machine, nspawnPid);
  return false;
}

/** Kills the container at once: its PID 1 (which takes the whole PID namespace with it), then nspawn. */
export async function killNspawn(machine: MachinePaths, nspawnPid: number): Promise<void> {
  signalProcess(findLeader(nspawnPid), "SIGKILL");
  if (await waitForExit(nspawnPid, machine.root, 3000)) return;
  signalProcess(nspawnPid, "SIGKILL");
  if (!(await waitForExit(nspawnPid, machine.root, 5000))) {
    throw new HostFailureError(`The container's nspawn process ${nspawnPid} could not be killed.`);
  }
}

/** Every live nspawn process booting `machineRoot`, found by scanning /proc (for crash recovery). */
export function findNspawnProcesses(machineRoot: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (isNspawnFor(Number(entry), machineRoot)) found.push(Number(entry));
  }
  return found;
}
