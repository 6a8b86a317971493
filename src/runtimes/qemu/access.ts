/**
 * Reaching inside a running VM: one command, the one interactive path (`attach`: SSH gateway
 * sessions, the browser terminal, `ctl shell`), port forwards, and the guest's pinned host key.
 * Every path is the same pinned-key SSH to the VM's forwarded port on 127.0.0.1
 * (`src/host/guest-session.ts`, shared with the microvm runtime), so there is one way in and
 * one place that decides what an SSH failure means.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConflictError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { BackendDeps } from "../../backends/deps.js";
import { guestAccess, type GuestAccess } from "../../host/guest-session.js";
import { vmPaths, type QemuPaths } from "./paths.js";
import { runningPid } from "./process.js";
import { existingVm } from "./record.js";
import type { SshTarget } from "./ssh.js";

export interface VmAccess extends GuestAccess {
  /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
  readonly pinnedHostKey: (name: WorkloadName) => string | undefined;
}

export function createVmAccess(deps: BackendDeps, paths: QemuPaths): VmAccess {
  /** The VM's pinned SSH target, or `wrong-state` when it is not running. */
  const runningTarget = (name: WorkloadName): SshTarget => {
    const { files, record } = existingVm(paths, name);
    if (runningPid(files) === undefined)
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return { name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts };
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

  return { ...guestAccess(deps, runningTarget), pinnedHostKey };
}
