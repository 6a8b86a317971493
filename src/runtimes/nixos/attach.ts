/**
 * The nixos runtime's interactive path (`Runtime.attach`): every session enters the container
 * the way `exec` does, through `nixos-container`, which joins the container's namespaces with
 * nsenter. A shell is `nixos-container root-login` (root's login shell through `su -l`); a
 * command line goes to the container's `/bin/sh -c`, an argv to `nixos-container run` as it
 * is, and SFTP runs OpenSSH's server from the container's system path. Processes get only
 * PATH and TERM from the host: nothing of the service's environment enters a container.
 *
 * @module
 */
import type { WorkloadName } from "../../domain/names.js";
import { requireSpawner } from "../../host/process-spawner.js";
import type { InteractiveProcess } from "../../ports/command-runner.js";
import type { AttachOptions, SessionCommand } from "../../ports/runtime.js";
import type { NixosContext } from "./context.js";
import { NIXOS_CONTAINER, runInContainerArgs } from "./machinectl-cli.js";
import { requireRunning } from "./queries.js";

/** OpenSSH's SFTP server in a NixOS system path (`programs.ssh` puts openssh there; /libexec is linked). */
export const NIXOS_SFTP_SERVER = "/run/current-system/sw/libexec/sftp-server";

/** The `nixos-container` arguments that run `command` in container `name`. */
export function attachArgs(name: string, command: SessionCommand): string[] {
  switch (command.kind) {
    case "shell":
      return ["root-login", name];
    case "exec":
      return runInContainerArgs(name, ["/bin/sh", "-c", command.command]);
    case "argv":
      return runInContainerArgs(name, command.argv);
    case "sftp":
      return runInContainerArgs(name, [NIXOS_SFTP_SERVER]);
  }
}

/** Attaches to a running container; `wrong-state` when it is not running. */
export async function attachToContainer(
  context: NixosContext,
  name: WorkloadName,
  options: AttachOptions,
): Promise<InteractiveProcess> {
  const spawner = requireSpawner(context.deps.spawner);
  await requireRunning(context, name);
  const terminal = options.command.kind === "sftp" ? undefined : options.terminal;
  return spawner.spawn(NIXOS_CONTAINER, attachArgs(name, options.command), {
    env: {
      PATH: process.env.PATH ?? "/run/current-system/sw/bin",
      ...(terminal === undefined ? {} : { TERM: terminal.term }),
    },
    timeoutMs: options.timeoutMs,
    ...(terminal === undefined ? {} : { terminal }),
  });
}
