/**
 * The QEMU process: started detached (its own session, no terminal) so it outlives the voxnix
 * command that created it, and found again from its pidfile, checked against `/proc` so a
 * recycled pid is never mistaken for a VM. Listing twenty VMs costs forty small file reads and
 * no processes.
 *
 * Why not `qemu -daemonize` through the CommandRunner: QEMU installs its seccomp filter before
 * it forks, so `-daemonize` only works with `spawn=allow`. Forking here instead keeps
 * `spawn=deny` (no fork or exec inside QEMU, even if a guest exploits a device model bug). The
 * long-lived process cannot go through the CommandRunner, which waits for exit, so this is the
 * one place the runtime forks directly; it still has a deadline: if QEMU's control socket does
 * not answer in time, the process is killed and the start fails.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import { qmp } from "./qmp.js";
import type { VmPaths } from "./paths.js";

/** The QEMU binary. */
export const QEMU_BINARY = "qemu-system-x86_64";

function readPid(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(value) && value > 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live (not zombie) QEMU serving this VM's control socket. */
export function isQemuFor(pid: number, paths: Pick<VmPaths, "qmpSocket">): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!cmdline.includes(`unix:${paths.qmpSocket},server=on,wait=off`)) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** The pid of the VM's running QEMU, if it runs. */
export function runningPid(paths: Pick<VmPaths, "pidFile" | "qmpSocket">): number | undefined {
  const pid = readPid(paths.pidFile);
  return pid !== undefined && isQemuFor(pid, paths) ? pid : undefined;
}

/** When the process started (from /proc), for `show`. */
export function startedAt(pid: number): Date | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    if (!Number.isFinite(ticks) || !Number.isFinite(uptime)) return undefined;
    return new Date(Date.now() - (uptime - ticks / 100) * 1000);
  } catch {
    return undefined;
  }
}

/** Resident memory of the process in bytes (QEMU's whole overhead, guest RAM it touched included). */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const STDERR_LIMIT = 16 * 1024;

/**
 * Starts QEMU with `args` and resolves with its pid once its control socket answers. QEMU's
 * start-up errors (a bad option, a disk it cannot open, a port in use) reject with its message.
 * After start-up its stderr is closed on our side (QEMU ignores SIGPIPE), so nothing a guest
 * provokes QEMU to print can pile up anywhere.
 */
export async function launchQemu(args: readonly string[], paths: VmPaths, timeoutMs: number): Promise<number> {
  const child = spawn(QEMU_BINARY, args, {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
  let stderr = "";
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk;
  });
  child.on("error", (error) => (spawnError = error));
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError !== undefined)
        throw new HostFailureError(`Could not start ${QEMU_BINARY}; is qemu-system-x86 installed?`, spawnError.message);
      if (exited !== undefined) {
        await sleep(20);
        throw new HostFailureError(
          `QEMU refused to start the VM: ${stderr.trim().split("\n").slice(-3).join(" | ") || `exit ${exited.code ?? exited.signal}`}`,
          stderr.slice(-2000),
        );
      }
      const ready = await qmp(paths.qmpSocket, [{ execute: "query-status" }], 1000).then(
        () => true,
        () => false,
      );
      if (ready && child.pid !== undefined) return child.pid;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new TimeoutError(
          `QEMU did not open its control socket within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
          timeoutMs,
        );
      }
      await sleep(50);
    }
  } finally {
    child.stderr.destroy();
    child.unref();
  }
}

/** Waits until `pid` is gone; true when it went within `timeoutMs`. */
export async function waitForExit(pid: number, paths: Pick<VmPaths, "qmpSocket">, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isQemuFor(pid, paths)) return true;
    await sleep(50);
  }
  return !isQemuFor(pid, paths);
}
