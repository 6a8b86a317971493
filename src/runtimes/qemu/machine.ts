/**
 * Powering a VM on and off: starting QEMU for a VM whose disks exist and waiting until its SSH
 * server answers, and ending QEMU (ACPI power button, then quit, then SIGKILL). Kept apart from
 * the runtime's lifecycle methods, which decide *when* to boot or halt; this module knows *how*.
 *
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import { formatSize } from "../../domain/sizes.js";
import type { HostContext } from "../../ports/runtime.js";
import type { BackendDeps } from "../../backends/deps.js";
import { runChecked } from "../../host/commands.js";
import { consoleLines, drainConsole, readLogTail } from "./console-log.js";
import { freePort } from "../../host/free-port.js";
import { READY_MARKER } from "./guest-files.js";
import type { VmPaths } from "./paths.js";
import { launchQemu, runningPid, waitForExit } from "./process.js";
import { ensureOutboundFilter } from "./outbound-filter.js";
import { qemuArgs } from "./qemu-argv.js";
import { qmp } from "./qmp.js";
import type { VmRecord } from "./record.js";
import { sshBanner } from "./ssh.js";

const LAUNCH_TIMEOUT_MS = 30_000;
/**
 * How long one banner check may wait once the guest said sshd is up. sshd re-executes itself
 * for every connection, which took more than 3 s under TCG on a busy host: a short timeout
 * gave up on each connection and opened another (each one more sshd start for the guest),
 * and boots waited about 12 s longer than the guest needed (measured). A guest that does not
 * listen resets the forwarded connection at once, so the long wait costs nothing then.
 */
const BANNER_WAIT_MS = 30_000;

/**
 * Host-side inputs the core prepares for a VM: the runtime port's `HostContext` without the
 * container-only fields. `workspaceHostPath` is a directory from the storage driver; the
 * workspace disk goes there (counted in the owner's quota, snapshotted with the workspace).
 */
export type VmHostContext = Pick<
  HostContext,
  "ownerLabel" | "workspaceHostPath" | "rootDiskRef" | "onProgress" | "signal"
>;

export interface VmMachine {
  /** Starts QEMU for a VM whose disks exist and waits until its SSH server answers; the record may get a new SSH port. */
  readonly boot: (
    files: VmPaths,
    record: VmRecord,
    host: Pick<VmHostContext, "onProgress" | "signal">,
  ) => Promise<VmRecord>;
  /** Ends the QEMU process: ACPI power button first when `clean`, then quit, then SIGKILL. Resolves true when the guest powered off by itself. */
  readonly halt: (files: VmPaths, clean: boolean) => Promise<boolean>;
  /** Whether a host user exists (for the `runAs` user and the doctor). */
  readonly userExists: (name: string) => boolean;
}

export function createVmMachine(deps: BackendDeps): VmMachine {
  const config = deps.config.vm;
  const isRoot = () => process.getuid?.() === 0;
  const userExists = (name: string): boolean => {
    try {
      return readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .some((line) => line.startsWith(`${name}:`));
    } catch {
      return false;
    }
  };
  /** The user QEMU drops to, created on first use (root only; unprivileged voxnix runs QEMU as itself). */
  const runAsUser = async (): Promise<string | undefined> => {
    if (config.runAs === "" || !isRoot()) return undefined;
    if (!userExists(config.runAs)) {
      await runChecked(
        deps.runner,
        "useradd",
        ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", config.runAs],
        { what: `create the user ${config.runAs} QEMU runs as` },
      );
    }
    return config.runAs;
  };

  /** Starts QEMU for a VM whose disks exist and waits until its SSH server answers. */
  const boot = async (
    files: VmPaths,
    record: VmRecord,
    host: Pick<VmHostContext, "onProgress" | "signal">,
  ): Promise<VmRecord> => {
    host.onProgress({
      type: "step",
      step: "starting",
      message: `Starting ${record.spec.name} (${record.spec.cpus} CPU, ${formatSize(record.spec.memoryBytes)}, ${record.accelerator.toUpperCase()})`,
    });
    rmSync(files.pidFile, { force: true });
    rmSync(files.qmpSocket, { force: true });
    const runAs = await runAsUser();
    if (config.outbound) {
      // The filter that keeps a guest off this host matches QEMU's user: without its own user,
      // an outbound guest would reach every service on the host.
      if (runAs === undefined) {
        throw new HostFailureError(
          `${record.spec.name} was not started: vm.outbound needs voxnix to run as root with vm.runAs set, so QEMU runs as its own user and the firewall can keep the guest off this host's services.`,
        );
      }
      await ensureOutboundFilter(deps.runner, runAs, [deps.config.nspawn.subnet]);
    }
    let current = record;
    let pid: number | undefined;
    for (let attempt = 0; pid === undefined; attempt += 1) {
      const args = qemuArgs({
        spec: current.spec,
        paths: files,
        image: { kernel: current.kernel, initrd: current.initrd },
        accelerator: current.accelerator,
        tbSizeMiB: config.tbSizeMiB,
        sshPort: current.sshPort,
        outbound: config.outbound,
        ...(runAs === undefined ? {} : { runAs }),
      });
      try {
        pid = await launchQemu(args, files, LAUNCH_TIMEOUT_MS);
      } catch (error) {
        // The port was free when picked; another process may have taken it since.
        if (
          attempt < 3 &&
          error instanceof HostFailureError &&
          /host forwarding rule|Address already in use/i.test(error.message + (error.detail ?? ""))
        ) {
          current = { ...current, sshPort: await freePort() };
          writeFileSync(files.metadata, `${JSON.stringify(current, null, 2)}\n`);
          continue;
        }
        throw error;
      }
    }
    host.onProgress({
      type: "step",
      step: "waiting-for-boot",
      message: `Waiting for ${record.spec.name} to boot and start sshd`,
    });
    const deadline = Date.now() + config.bootTimeoutSeconds * 1000;
    let seen = "";
    for (;;) {
      if (host.signal?.aborted === true) throw new HostFailureError(`Starting ${record.spec.name} was cancelled.`);
      if (runningPid(files) === undefined) {
        const tail = consoleLines(readLogTail(files.console, 4096), 5).join(" | ");
        throw new HostFailureError(`${record.spec.name} stopped while booting.`, tail);
      }
      const data = await drainConsole(files.qmpSocket, files.console).catch(() => Buffer.alloc(0));
      seen = (seen + data.toString("latin1")).slice(-4096);
      if (
        seen.includes(READY_MARKER) &&
        (await sshBanner(current.sshPort, Math.max(1000, Math.min(BANNER_WAIT_MS, deadline - Date.now()))))
      )
        return current;
      if (Date.now() > deadline) {
        throw new TimeoutError(
          `${record.spec.name} did not finish booting within ${config.bootTimeoutSeconds} s; see its console log (voxnix ctl logs).`,
          config.bootTimeoutSeconds * 1000,
        );
      }
      await sleep(200);
    }
  };

  /** Ends the QEMU process: ACPI power button first when `clean`, then quit, then SIGKILL. Resolves true when the guest powered off by itself. */
  const halt = async (files: VmPaths, clean: boolean): Promise<boolean> => {
    const pid = runningPid(files);
    if (pid === undefined) return true;
    await drainConsole(files.qmpSocket, files.console).catch(() => undefined);
    if (clean) {
      await qmp(files.qmpSocket, [{ execute: "system_powerdown" }], 5000).catch(() => undefined);
      if (await waitForExit(pid, files, config.stopTimeoutSeconds * 1000)) return true;
    }
    await qmp(files.qmpSocket, [{ execute: "quit" }], 5000).catch(() => undefined);
    if (!(await waitForExit(pid, files, 5000))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      await waitForExit(pid, files, 5000);
    }
    return false;
  };

  return { boot, halt, userExists };
}
