/**
 * Reaching inside a running VM guest over its pinned SSH (the QEMU and microvm runtimes share
 * it): one command with captured output (`exec`), the one interactive path (`attach`: the SSH
 * gateway's sessions, the browser terminal, `ctl shell` and `ctl exec`), and a connection to
 * one of the guest's own ports for `ssh -L` (`openPort`). Each is one `ssh` process with the
 * VM's client key and pinned host key (`guest-ssh.ts`), with an exact environment and a
 * deadline, so a VM is reached one single way and one place decides what an SSH failure means.
 *
 * A command line from an SSH client is handed to the guest as the client sent it: the guest's
 * own shell parses it, exactly as when the person runs `ssh host 'cmd'` against any server.
 * An argv is quoted word by word for that shell. The host never parses either.
 *
 * @module
 */
import { HostFailureError } from "../domain/errors.js";
import type { WorkloadName } from "../domain/names.js";
import type { CommandResult, CommandRunner, ProcessSpawner } from "../ports/command-runner.js";
import type { AttachOptions, ExecOptions, Runtime } from "../ports/runtime.js";
import { remoteCommand, SSH_FAILURE, sshArgs, sshEnvironment, type SshTarget } from "./guest-ssh.js";
import { requireSpawner } from "./process-spawner.js";

/** The `ssh` argv of an attach: a terminal when asked for, `-s sftp` for the subsystem. */
export function guestSessionArgs(target: SshTarget, options: Pick<AttachOptions, "command" | "terminal">): string[] {
  const interactive = options.terminal !== undefined;
  switch (options.command.kind) {
    case "shell":
      return sshArgs(target, undefined, { interactive });
    case "exec":
      return sshArgs(target, options.command.command, { interactive });
    case "argv":
      return sshArgs(target, remoteCommand(options.command.argv), { interactive });
    case "sftp":
      return sshArgs(target, undefined, { interactive: false, subsystem: "sftp" });
  }
}

/** The guest-reaching runtime methods, given how to find a running VM's SSH target. */
export type GuestAccess = Pick<Runtime, "exec"> & Required<Pick<Runtime, "attach" | "openPort">>;

/**
 * `exec`, `attach` and `openPort` over SSH. `runningTarget` throws `NotFoundError` for an
 * unknown VM and `ConflictError('wrong-state')` for a stopped one.
 */
export function guestAccess(
  deps: { readonly runner: CommandRunner; readonly spawner?: ProcessSpawner },
  runningTarget: (name: WorkloadName) => SshTarget | Promise<SshTarget>,
): GuestAccess {
  return {
    async exec(name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult> {
      const target = await runningTarget(name);
      const command = argv.length === 0 ? undefined : remoteCommand(argv, options.env ?? {});
      const result = await deps.runner.run("ssh", sshArgs(target, command, { interactive: false }), {
        env: sshEnvironment(),
        isolatedEnv: true,
        timeoutMs: options.timeoutMs,
        ...(options.input === undefined ? {} : { input: options.input }),
      });
      // 255 is ssh's own failure; a guest command can exit 255 too, so only ssh's messages count.
      if (result.exitCode === 255 && SSH_FAILURE.test(result.stderr)) {
        throw new HostFailureError(
          `Could not reach ${name} over SSH.`,
          result.stderr.trim().split("\n").slice(-2).join(" | "),
        );
      }
      return result;
    },

    async attach(name, options) {
      const target = await runningTarget(name);
      const terminal = options.command.kind === "sftp" ? undefined : options.terminal;
      return requireSpawner(deps.spawner).spawn(
        "ssh",
        guestSessionArgs(target, { command: options.command, ...(terminal === undefined ? {} : { terminal }) }),
        {
          // ssh passes its TERM to the guest's pty; the service's own environment never goes along.
          env: { ...sshEnvironment(), ...(terminal === undefined ? {} : { TERM: terminal.term }) },
          timeoutMs: options.timeoutMs,
          ...(terminal === undefined ? {} : { terminal }),
        },
      );
    },

    /**
     * A byte stream to `port` on the guest's own 127.0.0.1 or ::1 (`ssh -W`: the guest's sshd
     * makes the connection, so nothing on the host is reachable this way). When nothing
     * listens there, ssh exits at once (status 255, "stdio forwarding failed") and the stream ends.
     */
    async openPort(name, port, options) {
      const target = await runningTarget(name);
      const forward = {
        interactive: false,
        forwardPort: port,
        ...(options.family === undefined ? {} : { forwardFamily: options.family }),
      };
      return requireSpawner(deps.spawner).spawn("ssh", sshArgs(target, undefined, forward), {
        env: sshEnvironment(),
        timeoutMs: options.timeoutMs,
      });
    },
  };
}
