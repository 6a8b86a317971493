/**
 * Reaching inside a running microvm: one command (`exec`), the one interactive path
 * (`attach`: SSH gateway sessions, the browser terminal, `ctl shell`), port forwards, and the
 * guest's pinned host key. Every path is the same pinned-key SSH to the VM's forwarded port on
 * 127.0.0.1 (`src/host/guest-session.ts`, shared with the QEMU runtime), so there is one way in.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConflictError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { BackendDeps } from "../../backends/deps.js";
import { guestAccess, type GuestAccess } from "../../host/guest-session.js";
import type { SshTarget } from "../../host/guest-ssh.js";
import { microvmVmPaths, type MicrovmPaths } from "./paths.js";
import { existingVm, sshTarget } from "./record.js";

/** The runtime methods that reach inside a VM, plus the pinned host key. */
export interface MicrovmAccess extends GuestAccess {
  /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
  readonly pinnedHostKey: (name: WorkloadName) => string | undefined;
}

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
    ...guestAccess(deps, runningTarget),
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
