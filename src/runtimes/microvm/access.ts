/**
 * Reaching inside a running microvm: one command (`exec`), the browser terminal, SSH gateway
 * sessions and port forwards, and the guest's pinned host key. Every path is the same
 * pinned-key SSH to the VM's forwarded port on 127.0.0.1 (`src/host/guest-ssh.ts`, shared with
 * the QEMU runtime), so there is one way in.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConflictError, HostFailureError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { BackendDeps } from "../../backends/deps.js";
import type { Runtime } from "../../ports/runtime.js";
import { openGuestPort, openGuestSession } from "../../host/guest-session.js";
import { remoteCommand, SSH_FAILURE, sshArgs, sshEnvironment, type SshTarget } from "../../host/guest-ssh.js";
import { microvmVmPaths, type MicrovmPaths } from "./paths.js";
import { existingVm, sshTarget } from "./record.js";

/** The runtime methods that reach inside a VM, plus the pinned host key. */
export type MicrovmAccess = Pick<Runtime, "exec" | "openTerminal"> &
  Required<Pick<Runtime, "openSession" | "openPort">> & {
    /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
    readonly pinnedHostKey: (name: WorkloadName) => string | undefined;
  };

export function microvmAccess(
  deps: BackendDeps,
  paths: MicrovmPaths,
  isRunning: (name: string) => Promise<boolean>,
): MicrovmAccess {
  /** The running VM's pinned SSH target, or `wrong-state`. */
  const runningTarget = async (name: WorkloadName): Promise<SshTarget> => {
    const { files, record } = existingVm(paths, name);
    if (!(await isRunning(name))) throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return sshTarget(name, files, record);
  };

  return {
    async exec(name, argv, options) {
      const target = await runningTarget(name);
      const command = argv.length === 0 ? undefined : remoteCommand(argv, options.env ?? {});
      const result = await deps.runner.run(
        "ssh",
        sshArgs(target, command, { interactive: options.stdio === "inherit" }),
        {
          env: sshEnvironment(),
          isolatedEnv: true,
          timeoutMs: options.timeoutMs,
          ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
          ...(options.input === undefined ? {} : { input: options.input }),
        },
      );
      // 255 is ssh's own failure; a guest command can exit 255 too, so only ssh's messages count.
      if (result.exitCode === 255 && SSH_FAILURE.test(result.stderr)) {
        throw new HostFailureError(
          `Could not reach ${name} over SSH.`,
          result.stderr.trim().split("\n").slice(-2).join(" | "),
        );
      }
      return result;
    },

    async openTerminal(name, options) {
      return deps.runner.spawnTerminal("ssh", sshArgs(await runningTarget(name), undefined, { interactive: true }), {
        env: { ...sshEnvironment(), TERM: "xterm-256color" },
        isolatedEnv: true,
        timeoutMs: options.timeoutMs,
        size: options.size,
      });
    },

    async openSession(name, options) {
      return openGuestSession(deps.spawner, await runningTarget(name), options);
    },

    async openPort(name, port, options) {
      return openGuestPort(deps.spawner, await runningTarget(name), port, options);
    },

    pinnedHostKey(name) {
      try {
        return (
          readFileSync(microvmVmPaths(paths, name).knownHosts, "utf8").trim().split(" ").slice(1, 3).join(" ") ||
          undefined
        );
      } catch {
        return undefined;
      }
    },
  };
}
