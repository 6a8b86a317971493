/**
 * Making and booting one microvm: its keys (voxnix's client key, and the guest's host key
 * generated here so it is known and pinned before first boot), its runner (`nix build` of the
 * voxnix flake's `lib.microvmRunner` from the VM's spec file), and a boot that waits until the
 * guest's sshd answers with the pinned key and voxnix's login works.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";
import { formatSize } from "../../domain/sizes.js";
import type { BackendDeps } from "../../backends/deps.js";
import type { HostContext, ProgressListener } from "../../ports/runtime.js";
import { runChecked } from "../../host/commands.js";
import { hostKeyAlias, sshArgs, sshBanner, sshEnvironment } from "../../host/guest-ssh.js";
import { unitOf, type MicrovmVmPaths } from "./paths.js";
import { sshTarget, type MicrovmRecord } from "./record.js";
import type { MicrovmUnits } from "./units.js";

/** The entry nix builds a runner from (in the voxnix source the flake is). */
export const RUNNER_ENTRY = "nix/lib/microvm-build.nix";

/** The `nix build` argv (after the program) that builds a VM's runner into `files.runner`. */
export function runnerBuildArgs(flake: string, files: Pick<MicrovmVmPaths, "specFile" | "runner">): string[] {
  return [
    "build",
    "--impure",
    "--file",
    path.join(flake, RUNNER_ENTRY),
    "--argstr",
    "specFile",
    files.specFile,
    "--argstr",
    "flake",
    `path:${flake}`,
    "--out-link",
    files.runner,
  ];
}

/** What making and booting VMs needs. */
export interface MicrovmMachine {
  /** Generates the client key, the guest's host key (into the seed) and the pinned known_hosts entry. */
  makeKeys(files: MicrovmVmPaths, name: string): Promise<void>;
  /** Builds the VM's runner from its spec file. */
  build(flake: string, files: MicrovmVmPaths, onProgress: ProgressListener, signal?: AbortSignal): Promise<void>;
  /** Starts the unit and waits until the guest's sshd answers with the pinned key and voxnix's login works. */
  boot(
    name: string,
    files: MicrovmVmPaths,
    record: MicrovmRecord,
    host: Pick<HostContext, "onProgress" | "signal">,
  ): Promise<void>;
}

export function microvmMachine(deps: BackendDeps, units: MicrovmUnits): MicrovmMachine {
  const vm = deps.config.vm;
  return {
    async makeKeys(files, name) {
      mkdirSync(files.seed, { mode: 0o700 });
      const keygen = (file: string, comment: string) =>
        runChecked(deps.runner, "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], {
          what: "generate an SSH key",
        });
      await keygen(files.clientKey, `voxnix@${name}`);
      const hostKey = path.join(files.seed, "ssh_host_ed25519_key");
      await keygen(hostKey, `root@${name}`);
      writeFileSync(
        path.join(files.seed, "voxnix_authorized_keys"),
        `${readFileSync(`${files.clientKey}.pub`, "utf8").trim()}\n`,
        { mode: 0o644 },
      );
      const [type, blob] = readFileSync(`${hostKey}.pub`, "utf8").trim().split(" ");
      writeFileSync(files.knownHosts, `${hostKeyAlias(name)} ${type} ${blob}\n`, { mode: 0o600 });
    },

    async build(flake, files, onProgress, signal) {
      onProgress({ type: "step", step: "building", message: "Building the VM's NixOS system and runner (nix build)" });
      await runChecked(deps.runner, "nix", runnerBuildArgs(flake, files), {
        what: "build the VM's runner",
        timeoutMs: deps.config.microvm.buildTimeoutSeconds * 1000,
        ...(signal === undefined ? {} : { signal }),
      });
    },

    async boot(name, files, record, host) {
      host.onProgress({
        type: "step",
        step: "starting",
        message: `Starting ${name} (${record.spec.cpus} CPU, ${formatSize(record.spec.memoryBytes)}, microvm@${name})`,
      });
      await units.start(name);
      host.onProgress({
        type: "step",
        step: "waiting-for-boot",
        message: `Waiting for ${name} to boot and start sshd`,
      });
      const deadline = Date.now() + vm.bootTimeoutSeconds * 1000;
      for (;;) {
        if (host.signal?.aborted === true) throw new HostFailureError(`Starting ${name} was cancelled.`);
        const state = await units.state(name);
        if (state === "failed" || state === "stopped") {
          throw new HostFailureError(
            `${name} stopped while booting; see voxnix ctl logs ${name}.`,
            `${unitOf(name)} is ${state}`,
          );
        }
        if (await sshBanner(record.sshPort, 3000)) {
          // A banner can come from the host side of the forward; a login with the pinned key cannot.
          const probe = await deps.runner.run(
            "ssh",
            sshArgs(sshTarget(name, files, record), "true", { interactive: false, connectTimeoutSeconds: 5 }),
            { env: sshEnvironment(), isolatedEnv: true, timeoutMs: 15_000 },
          );
          if (probe.exitCode === 0) return;
        }
        if (Date.now() > deadline)
          throw new TimeoutError(
            `${name} did not finish booting within ${vm.bootTimeoutSeconds} s; see voxnix ctl logs ${name}.`,
            vm.bootTimeoutSeconds * 1000,
          );
        await sleep(500);
      }
    },
  };
}
