/**
 * Streaming into a VM guest over its pinned SSH (the QEMU and microvm runtimes share it): an
 * SSH gateway or browser session (a login shell, one command line, the sftp subsystem) and a
 * connection to one of the guest's own ports for `ssh -L`. Each is one `ssh` process with the
 * VM's client key and pinned host key (`guest-ssh.ts`), started by the `ProcessSpawner` with
 * an exact environment and a deadline, so a VM is reached the same single way `exec` reaches it.
 *
 * A command line from an SSH client is handed to the guest as the client sent it: the guest's
 * own shell parses it, exactly as when the person runs `ssh host 'cmd'` against any server.
 * The host never parses it.
 *
 * @module
 */
import { HostFailureError } from "../domain/errors.js";
import type { InteractiveProcess, ProcessSpawner } from "../ports/command-runner.js";
import type { SessionOptions } from "../ports/runtime.js";
import { sshArgs, sshEnvironment, type SshTarget } from "./guest-ssh.js";

function requireSpawner(spawner: ProcessSpawner | undefined): ProcessSpawner {
  if (!spawner)
    throw new HostFailureError("This voxnix process cannot stream sessions (no process spawner was configured).");
  return spawner;
}

/** The `ssh` argv of a session: a terminal for interactive sessions, `-s sftp` for the subsystem. */
export function guestSessionArgs(target: SshTarget, options: Pick<SessionOptions, "command" | "terminal">): string[] {
  const interactive = options.terminal !== undefined;
  switch (options.command.kind) {
    case "shell":
      return sshArgs(target, undefined, { interactive });
    case "exec":
      return sshArgs(target, options.command.command, { interactive });
    case "sftp":
      return sshArgs(target, undefined, { interactive: false, subsystem: "sftp" });
  }
}

/** Opens a session in the guest; it streams until the guest's command ends or `close` is called. */
export function openGuestSession(
  spawner: ProcessSpawner | undefined,
  target: SshTarget,
  options: SessionOptions,
): Promise<InteractiveProcess> {
  const terminal = options.command.kind === "sftp" ? undefined : options.terminal;
  return requireSpawner(spawner).spawn(
    "ssh",
    guestSessionArgs(target, { command: options.command, ...(terminal === undefined ? {} : { terminal }) }),
    {
      // ssh passes its TERM to the guest's pty; the service's own environment never goes along.
      env: { ...sshEnvironment(), ...(terminal === undefined ? {} : { TERM: terminal.term }) },
      timeoutMs: options.timeoutMs,
      ...(terminal === undefined ? {} : { terminal }),
    },
  );
}

/**
 * A byte stream to `port` on the guest's own 127.0.0.1 or ::1 (`ssh -W`: the guest's sshd makes the
 * connection, so nothing on the host is reachable this way). When nothing listens there, ssh
 * exits at once (status 255, "stdio forwarding failed") and the stream ends.
 */
export function openGuestPort(
  spawner: ProcessSpawner | undefined,
  target: SshTarget,
  port: number,
  options: { readonly family?: 4 | 6; readonly timeoutMs: number },
): Promise<InteractiveProcess> {
  const forward = {
    interactive: false,
    forwardPort: port,
    ...(options.family === undefined ? {} : { forwardFamily: options.family }),
  };
  return requireSpawner(spawner).spawn("ssh", sshArgs(target, undefined, forward), {
    env: sshEnvironment(),
    timeoutMs: options.timeoutMs,
  });
}
