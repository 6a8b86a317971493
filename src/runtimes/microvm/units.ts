/**
 * The microvm@NAME.service units microvm.nix's host module provides: their states (one
 * `systemctl show` for many units), starting without blocking, and stopping (the unit's
 * ExecStop shuts the guest down cleanly). voxnix runs no daemon of its own for VMs.
 *
 * @module
 */
import { HostFailureError } from "../../domain/errors.js";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { LiveState } from "../../ports/runtime.js";
import { runHost } from "../../host/commands.js";
import { unitOf } from "./paths.js";

/** `systemctl show` blocks (`Key=Value` lines, blank line between units) → ActiveState per unit id. */
export function parseActiveStates(output: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const block of output.split(/\n\s*\n/)) {
    const fields = new Map(
      block.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
    );
    const id = fields.get("Id");
    if (id) states.set(id, fields.get("ActiveState") ?? "unknown");
  }
  return states;
}

/** systemd's ActiveState → the port's live state. */
export function liveState(active: string | undefined): LiveState {
  switch (active) {
    case "active":
    case "reloading":
      return "running";
    case "activating":
      return "starting";
    case "deactivating":
      return "stopping";
    case "failed":
      return "failed";
    case "inactive":
    case undefined:
      return "stopped";
    default:
      return "unknown";
  }
}

/** The VM units of this host. */
export interface MicrovmUnits {
  /** ActiveState per unit id, for the named VMs (one `systemctl show`). */
  activeStates(names: readonly string[]): Promise<Map<string, string>>;
  /** The live state of one VM's unit. */
  state(name: string): Promise<LiveState>;
  isRunning(name: string): Promise<boolean>;
  /** `systemctl start --no-block`: the caller waits for the guest itself. */
  start(name: string): Promise<void>;
  /** Stops the unit (a clean guest shutdown); an unknown unit succeeds. */
  stop(name: string): Promise<void>;
}

export function microvmUnits(
  runner: CommandRunner,
  options: { readonly commandTimeoutMs: number; readonly stopTimeoutSeconds: number },
): MicrovmUnits {
  const systemctl = (args: readonly string[], action: string) =>
    runHost(runner, "systemctl", args, { action, timeoutMs: options.commandTimeoutMs });
  const activeStates = async (names: readonly string[]): Promise<Map<string, string>> => {
    if (names.length === 0) return new Map();
    const result = await systemctl(
      ["show", "--property=Id,ActiveState", "--", ...names.map(unitOf)],
      "Reading the state of the microvm units",
    );
    if (result.exitCode !== 0)
      throw new HostFailureError("Could not read the state of the microvm units.", result.stderr.trim());
    return parseActiveStates(result.stdout);
  };
  const state = async (name: string): Promise<LiveState> => liveState((await activeStates([name])).get(unitOf(name)));
  return {
    activeStates,
    state,
    isRunning: async (name) => (await state(name)) === "running",
    async start(name) {
      const started = await systemctl(["start", "--no-block", unitOf(name)], `Starting ${unitOf(name)}`);
      if (started.exitCode !== 0)
        throw new HostFailureError(
          `Could not start ${name}: systemctl start ${unitOf(name)} failed.`,
          started.stderr.trim(),
        );
    },
    async stop(name) {
      const result = await runHost(runner, "systemctl", ["stop", unitOf(name)], {
        action: `Stopping ${unitOf(name)}`,
        timeoutMs: (options.stopTimeoutSeconds + 30) * 1000,
      });
      if (result.exitCode !== 0 && !/not loaded|does not exist/i.test(result.stderr))
        throw new HostFailureError(`Could not stop ${name}.`, result.stderr.trim());
    },
  };
}
