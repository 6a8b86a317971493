/**
 * Read-only queries of the nixos backend: list (machinectl and extra-container in one
 * batch), show, logs (container journal with a host-unit fallback) and exec.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, HostFailureError, InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { ExecOptions, LiveContainer, LiveDetails, LogEntry } from "../../ports/runtime.js";
import type { CommandResult } from "../../ports/command-runner.js";
import { TAILSCALE_MODULE } from "./artifacts.js";
import { type NixosContext, confPath, isInstalled, readRecord } from "./context.js";
import { EXTRA_CONTAINER, listArgs, parseContainerList } from "./extra-container-cli.js";
import { commandFailure, runHost, runHostChecked } from "../../host/commands.js";
import {
  JOURNALCTL,
  MACHINECTL,
  NIXOS_CONTAINER,
  machineState,
  parseJournal,
  parseKeyValues,
  parseMachineList,
  parseSystemdTimestamp,
  parseTailscaleStatus,
  runInContainerArgs,
} from "./machinectl-cli.js";

/** Most journal lines one logs call returns. */
export const MAX_LOG_LINES = 1000;

/**
 * Every container the host knows: running ones from machinectl, installed ones from
 * `extra-container list` and the conf directory (those not running are stopped).
 */
export async function listContainers(context: NixosContext): Promise<LiveContainer[]> {
  const [running, extra, declared] = await Promise.all([
    machines(context),
    extraContainers(context),
    confNames(context),
  ]);
  const result = [...running];
  const seen = new Set(running.map((machine) => machine.name));
  for (const name of [...extra, ...declared]) {
    if (seen.has(name)) continue;
    seen.add(name);
    result.push({ name, state: "stopped", addresses: [] });
  }
  return result;
}

async function machines(context: NixosContext): Promise<LiveContainer[]> {
  const result = await runHostChecked(context.deps.runner, MACHINECTL, ["list", "--output=json", "--no-pager"], {
    action: "Listing running containers",
    timeoutMs: context.queryTimeoutMs,
  });
  const parsed = parseMachineList(result.stdout);
  if (!parsed)
    throw new HostFailureError(
      "Listing running containers failed: machinectl printed something that is not a JSON list.",
      result.stdout.slice(0, 2000),
    );
  return parsed;
}

async function extraContainers(context: NixosContext): Promise<string[]> {
  const result = await runHostChecked(context.deps.runner, EXTRA_CONTAINER, listArgs(), {
    action: "Listing installed containers",
    timeoutMs: context.queryTimeoutMs,
  });
  return parseContainerList(result.stdout);
}

// Declarative containers have a conf file but are not extra containers.
async function confNames(context: NixosContext): Promise<string[]> {
  try {
    const entries = await readdir(join(context.hostRoot, "etc", "nixos-containers"));
    return entries
      .filter((entry) => entry.endsWith(".conf"))
      .map((entry) => entry.slice(0, -".conf".length))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Refuses an unknown container (not found) and one that is not running (`wrong-state`), as the
 * port says of `exec` and terminals, before any command is run in it.
 */
export async function requireRunning(context: NixosContext, name: WorkloadName): Promise<void> {
  if (!(await isInstalled(context, name)))
    throw new NotFoundError("workload", name, `No container called "${name}" is installed on this host.`);
  const shown = await runHost(context.deps.runner, MACHINECTL, ["show", name, "--no-pager"], {
    action: `Reading the state of "${name}"`,
    timeoutMs: context.queryTimeoutMs,
  });
  const state = shown.exitCode === 0 ? machineState(parseKeyValues(shown.stdout).get("State")) : "stopped";
  if (state !== "running") throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
}

/** Details of one container, or undefined when the host does not know it. */
export async function showContainer(context: NixosContext, name: WorkloadName): Promise<LiveDetails | undefined> {
  const [shown, listed, installed, record] = await Promise.all([
    runHost(context.deps.runner, MACHINECTL, ["show", name, "--no-pager"], {
      action: `Reading the state of "${name}"`,
      timeoutMs: context.queryTimeoutMs,
    }),
    // Addresses are a nicety of show; a machinectl list hiccup must not hide the details.
    machines(context).catch((): LiveContainer[] => []),
    isInstalled(context, name),
    readRecord(context, name),
  ]);
  const facts: Record<string, string> = { unit: `container@${name}.service` };
  if (installed) facts.conf = confPath(context, name);
  if (shown.exitCode !== 0) {
    return installed ? { name, state: "stopped", addresses: [], facts } : undefined;
  }
  const values = parseKeyValues(shown.stdout);
  for (const key of ["Leader", "Class", "Service", "RootDirectory", "Timestamp"]) {
    const value = values.get(key);
    if (value) facts[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  }
  const state = machineState(values.get("State"));
  const since = parseSystemdTimestamp(values.get("Timestamp"));
  const addresses = listed.find((machine) => machine.name === name)?.addresses ?? [];
  const remoteAccess =
    state === "running" && record?.modules.includes(TAILSCALE_MODULE)
      ? await tailscaleStatus(context, name)
      : undefined;
  return { name, state, addresses, facts, ...(since ? { since } : {}), ...(remoteAccess ? { remoteAccess } : {}) };
}

async function tailscaleStatus(context: NixosContext, name: string): Promise<NonNullable<LiveDetails["remoteAccess"]>> {
  try {
    const result = await runHostChecked(
      context.deps.runner,
      NIXOS_CONTAINER,
      runInContainerArgs(name, ["tailscale", "status", "--json"]),
      {
        action: `Reading the Tailscale status of "${name}"`,
        timeoutMs: context.queryTimeoutMs,
      },
    );
    return parseTailscaleStatus(result.stdout) ?? { state: "unreadable" };
  } catch (error) {
    context.logger.debug({ workload: name, error: String(error) }, "tailscale status unavailable");
    return { state: "unavailable" };
  }
}

/** The last `lines` journal entries of a container, from its own journal or the host unit's. */
export async function containerLogs(context: NixosContext, name: WorkloadName, lines: number): Promise<LogEntry[]> {
  if (!(await isInstalled(context, name)))
    throw new NotFoundError("workload", name, `No container called "${name}" is installed on this host.`);
  const count = String(Math.min(Math.max(Math.trunc(lines) || 1, 1), MAX_LOG_LINES));
  const inside = await runHost(context.deps.runner, JOURNALCTL, ["-M", name, "-o", "json", "-n", count, "--no-pager"], {
    action: `Reading the journal of "${name}"`,
    timeoutMs: context.queryTimeoutMs,
  }).catch((error: unknown) => {
    context.logger.debug(
      { workload: name, error: String(error) },
      "container journal unavailable, using the host unit",
    );
    return undefined;
  });
  if (inside && inside.exitCode === 0) {
    const entries = parseJournal(inside.stdout);
    if (entries.length > 0) return entries;
  }
  const host = await runHost(
    context.deps.runner,
    JOURNALCTL,
    ["-u", `container@${name}.service`, "-o", "json", "-n", count, "--no-pager"],
    {
      action: `Reading the host journal of "${name}"`,
      timeoutMs: context.queryTimeoutMs,
    },
  );
  if (host.exitCode !== 0) throw commandFailure(`Reading the logs of "${name}"`, host);
  return parseJournal(host.stdout);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Runs `argv` inside the container; the exit status is in the result, not an error. */
export async function execInContainer(
  context: NixosContext,
  name: WorkloadName,
  argv: readonly string[],
  options: ExecOptions,
): Promise<CommandResult> {
  if (argv.length === 0) throw new InvalidInputError([{ path: "argv", message: "Give a command to run." }]);
  await requireRunning(context, name);
  // The runner's environment would apply to nixos-container on the host, so variables are
  // passed into the container explicitly with env(1).
  const variables = Object.entries(options.env ?? {});
  for (const [key] of variables) {
    if (!ENV_NAME.test(key))
      throw new InvalidInputError([
        { path: `env.${key}`, message: `"${key}" is not a valid environment variable name.` },
      ]);
  }
  const command =
    variables.length > 0 ? ["env", "--", ...variables.map(([key, value]) => `${key}=${value}`), ...argv] : [...argv];
  return runHost(context.deps.runner, NIXOS_CONTAINER, runInContainerArgs(name, command), {
    action: `Running a command in "${name}"`,
    timeoutMs: options.timeoutMs,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}
