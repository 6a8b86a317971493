/**
 * Reaching inside a running VM: one command, the browser terminal, SSH gateway sessions and
 * port forwards, and the guest's pinned host key. Every path is the same pinned-key SSH to the VM's forwarded port on 127.0.0.1, so there
 * is one way in and one place that decides what an SSH failure means.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConflictError, HostFailureError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type { ExecOptions, Runtime } from "../../ports/runtime.js";
import type { BackendDeps } from "../../backends/deps.js";
import { vmPaths, type QemuPaths } from "./paths.js";
import { runningPid } from "./process.js";
import { existingVm } from "./record.js";
import { remoteCommand, sshArgs, sshEnvironment, type SshTarget } from "./ssh.js";
import { openGuestPort, openGuestSession } from "../../host/guest-session.js";

export interface VmAccess {
  readonly openTerminal: Runtime["openTerminal"];
  /** SSH gateway sessions (shell, command, sftp): one `ssh` into the guest each. */
  readonly openSession: NonNullable<Runtime["openSession"]>;
  /** `ssh -L` to one of the guest's ports, made by the guest's sshd (`ssh -W`). */
  readonly openPort: NonNullable<Runtime["openPort"]>;
  readonly exec: (name: WorkloadName, argv: readonly string[], options: ExecOptions) => Promise<CommandResult>;
  /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
  readonly pinnedHostKey: (name: WorkloadName) => string | undefined;
}

export function createVmAccess(deps: BackendDeps, paths: QemuPaths): VmAccess {
  const existing = (name: WorkloadName) => existingVm(paths, name);
  /** The VM's pinned SSH target, or `wrong-state` when it is not running. */
  const runningTarget = (name: WorkloadName): SshTarget => {
    const { files, record } = existing(name);
    if (runningPid(files) === undefined)
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return { name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts };
  };
  const openSession: VmAccess["openSession"] = async (name, options) =>
    openGuestSession(deps.spawner, runningTarget(name), options);
  const openPort: VmAccess["openPort"] = async (name, port, options) =>
    openGuestPort(deps.spawner, runningTarget(name), port, options);
  // The browser terminal: the same pinned-key SSH as exec, with a pty the runner allocates.
  const openTerminal: Runtime["openTerminal"] = async (name, options) => {
    const { files, record } = existing(name);
    if (runningPid(files) === undefined)
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return deps.runner.spawnTerminal(
      "ssh",
      sshArgs({ name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts }, undefined, {
        interactive: true,
      }),
      {
        env: { ...sshEnvironment(), TERM: "xterm-256color" },
        isolatedEnv: true,
        timeoutMs: options.timeoutMs,
        size: options.size,
      },
    );
  };

  const exec = async (name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult> => {
    const { files, record } = existing(name);
    if (runningPid(files) === undefined)
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    const interactive = options.stdio === "inherit";
    const command = argv.length === 0 ? undefined : remoteCommand(argv, options.env ?? {});
    const result = await deps.runner.run(
      "ssh",
      sshArgs({ name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts }, command, {
        interactive,
      }),
      {
        env: sshEnvironment(),
        isolatedEnv: true,
        timeoutMs: options.timeoutMs,
        ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
        ...(options.input === undefined ? {} : { input: options.input }),
      },
    );
    // 255 is ssh's own failure; a guest command can exit 255 too, so only ssh's messages count.
    if (
      result.exitCode === 255 &&
      /Host key verification failed|Permission denied|Connection (refused|closed|timed out)|kex_exchange_identification/i.test(
        result.stderr,
      )
    ) {
      throw new HostFailureError(
        `Could not reach ${name} over SSH.`,
        result.stderr.trim().split("\n").slice(-2).join(" | "),
      );
    }
    return result;
  };

  /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
  const pinnedHostKey = (name: WorkloadName): string | undefined => {
    try {
      const line = readFileSync(vmPaths(paths, name).knownHosts, "utf8").trim();
      return line.split(" ").slice(1, 3).join(" ") || undefined;
    } catch {
      return undefined;
    }
  };

  return { openTerminal, openSession, openPort, exec, pinnedHostKey };
}
