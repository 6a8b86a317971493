/**
 * Read-only views of containers: `list` is one directory read plus a few small `/proc` reads
 * per container (no processes), `show` adds start time, leader and memory, and `logs` reads
 * the container's persistent journal from the host (or the console log when there is none).
 *
 * @module
 */
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { WorkloadName } from "../../domain/names.js";
import type { LiveContainer, LiveDetails, LiveState, LogEntry } from "../../ports/runtime.js";
import type { BackendDeps } from "../../backends/deps.js";
import { memoryUsage } from "./cgroups.js";
import { readAddress } from "./machine.js";
import { journalArgs } from "./nspawn-cli.js";
import { cgroupName, machinePaths, type MachinePaths, type NspawnPaths } from "./paths.js";
import { recordedIdRange } from "./id-range.js";
import type { RootCloneKind } from "../../ports/root-volumes.js";
import { consoleTail, currentLeader, isBooted, runningPid } from "./supervisor.js";

function liveState(
  paths: NspawnPaths,
  name: string,
): { readonly state: LiveState; readonly pid?: number; readonly leader?: number } {
  const machine = machinePaths(paths, name);
  const pid = runningPid(machine);
  if (pid === undefined) return { state: "stopped" };
  const leader = currentLeader(machine, pid);
  if (leader === undefined) return { state: "starting", pid };
  if (existsSync(path.join(machine.run, "stopping"))) return { state: "stopping", pid, leader };
  return { state: isBooted(leader) ? "running" : "starting", pid, leader };
}

/** Every container under the backend root, in one batch. */
export function listContainers(paths: NspawnPaths): LiveContainer[] {
  let names: string[];
  try {
    // nspawn keeps a `.#<name>.lck` lock file next to each root it boots; only directories are containers.
    names = readdirSync(paths.machines, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const address = readAddress(machinePaths(paths, name));
    return { name, state: liveState(paths, name).state, addresses: address === undefined ? [] : [address] };
  });
}

/** Details of one container, or undefined when it does not exist. */
export function showContainer(
  paths: NspawnPaths,
  name: WorkloadName,
  rootKind: (machine: MachinePaths) => RootCloneKind | undefined,
): LiveDetails | undefined {
  const machine = machinePaths(paths, name);
  if (!existsSync(machine.root)) return undefined;
  const live = liveState(paths, name);
  const address = readAddress(machine);
  const facts: Record<string, string> = {
    root: machine.root,
    storage: rootKind(machine) === "snapshot" ? "btrfs snapshot" : "overlayfs",
    console: machine.console,
  };
  // An overlay root owned by its own id range (the image idmapped underneath; see id-range.ts).
  const idRange = recordedIdRange(machine);
  if (idRange !== undefined) facts.idRange = `${idRange}-${idRange + 0xffff}`;
  let since: Date | undefined;
  if (live.pid !== undefined) {
    facts.nspawnPid = String(live.pid);
    if (live.leader !== undefined) facts.leaderPid = String(live.leader);
    try {
      since = new Date(readFileSync(machine.startedFile, "utf8").trim());
    } catch {
      // no start time recorded
    }
    const memory = memoryUsage(cgroupName(paths, name));
    if (memory !== undefined) facts.memoryBytes = String(memory);
  }
  try {
    const limits = JSON.parse(readFileSync(path.join(machine.run, "limits.json"), "utf8")) as Record<
      string,
      string | boolean
    >;
    facts.limits = Object.entries(limits)
      .map(([limit, how]) => `${limit}: ${how === false ? "not enforced" : how === true ? "enforced" : how}`)
      .join("; ");
  } catch {
    // never started
  }
  return {
    name,
    state: live.state,
    addresses: address === undefined ? [] : [address],
    ...(since === undefined ? {} : { since }),
    facts,
  };
}

interface JournalRecord {
  readonly __REALTIME_TIMESTAMP?: string;
  readonly _SYSTEMD_UNIT?: string;
  readonly SYSLOG_IDENTIFIER?: string;
  readonly MESSAGE?: string | number[];
}

/** Parses `journalctl -o json` lines. */
export function parseJournal(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const record = JSON.parse(line) as JournalRecord;
      const message = Array.isArray(record.MESSAGE)
        ? Buffer.from(record.MESSAGE).toString("utf8")
        : (record.MESSAGE ?? "");
      const unit = record._SYSTEMD_UNIT ?? record.SYSLOG_IDENTIFIER;
      const micros = Number(record.__REALTIME_TIMESTAMP);
      entries.push({
        ...(Number.isFinite(micros) ? { time: new Date(micros / 1000) } : {}),
        ...(unit === undefined ? {} : { unit }),
        message,
      });
    } catch {
      // a partial line at the end of a rotating journal
    }
  }
  return entries;
}

/**
 * The journal files of a stopped container, found without following any symlink: every
 * directory on the way (`var`, `var/log`, `var/log/journal`, the machine's directory) and every
 * file must be a real directory or regular file inside the root, or it is skipped. A symlink a
 * tenant planted (at `/var/log/journal`, say) therefore shows nothing rather than another
 * tenant's or the host's journal. Nothing of the container runs while it is stopped, so
 * nothing can swap a checked path before journalctl opens it.
 */
export function journalFiles(root: string): string[] {
  const isDirectory = (target: string) => {
    try {
      return lstatSync(target).isDirectory();
    } catch {
      return false;
    }
  };
  let current = root;
  for (const part of ["var", "log", "journal"]) {
    current = path.join(current, part);
    if (!isDirectory(current)) return [];
  }
  const files: string[] = [];
  for (const machine of readdirSync(current)) {
    const directory = path.join(current, machine);
    if (!isDirectory(directory)) continue;
    for (const entry of readdirSync(directory)) {
      const file = path.join(directory, entry);
      if (/\.journal~?$/.test(entry) && lstatSync(file).isFile()) files.push(file);
    }
  }
  return files.sort();
}

/** How `containerLogs` reads a running container's journal: inside it, through the confined exec. */
export type InsideReader = (
  argv: readonly string[],
) => Promise<{ readonly exitCode: number | null; readonly stdout: string }>;

/**
 * The last `lines` log entries of the container: read by `journalctl` *inside* a running
 * container (so the host resolves no path in the tenant's root), from the checked journal files
 * of a stopped one, else the console log voxnix itself wrote.
 */
export async function containerLogs(
  deps: BackendDeps,
  paths: NspawnPaths,
  name: WorkloadName,
  lines: number,
  readInside: InsideReader,
): Promise<LogEntry[]> {
  const machine = machinePaths(paths, name);
  const count = Math.max(1, Math.min(Math.floor(lines), 10_000));
  const live = liveState(paths, name);
  let text: string | undefined;
  if (live.state === "running") {
    const result = await readInside([
      "journalctl",
      "--lines",
      String(count),
      "--output",
      "json",
      "--no-pager",
      "--quiet",
    ]).catch(() => undefined);
    if (result?.exitCode === 0) text = result.stdout;
  } else if (live.state === "stopped") {
    const files = journalFiles(machine.root);
    if (files.length > 0) {
      const result = await deps.runner.run("journalctl", journalArgs(files, count), {
        timeoutMs: 30_000,
        maxOutputBytes: 4 * 1024 ** 2,
      });
      if (result.exitCode === 0) text = result.stdout;
    }
  }
  const entries = text === undefined ? [] : parseJournal(text);
  if (entries.length > 0) return entries;
  return consoleTail(machine, count)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((message) => ({ unit: "console", message }));
}
