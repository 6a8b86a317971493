/**
 * `voxnix doctor` checks for the QEMU runtime: the programs it runs, whether KVM really works
 * (or why guests will be emulated), the unprivileged user QEMU drops to, free memory, and the
 * base image.
 *
 * @module
 */
import { freemem, totalmem } from "node:os";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import type { RuntimeConfig as Config } from "../../backends/deps.js";
import { formatSize } from "../../domain/sizes.js";
import { doctorCheck, toolChecks, type RequiredTool } from "../../host/doctor-checks.js";
import type { AcceleratorChoice } from "./accelerator.js";
import { currentImage } from "./image.js";
import type { QemuPaths } from "./paths.js";
import { QEMU_BINARY } from "./process.js";

/** Runs the checks. */
export async function qemuDoctor(
  runner: CommandRunner,
  paths: QemuPaths,
  config: Config,
  accelerator: () => Promise<AcceleratorChoice>,
  userExists: (name: string) => boolean,
): Promise<DoctorCheck[]> {
  const tools: RequiredTool[] = [
    { name: "qemu", command: QEMU_BINARY, args: ["--version"], pkg: "qemu-system-x86" },
    { name: "qemu-img", command: "qemu-img", args: ["--version"], pkg: "qemu-utils" },
    { name: "ssh client", command: "ssh", args: ["-V"], pkg: "openssh-client" },
    { name: "ssh-keygen", command: "ssh-keygen", args: ["-?"], pkg: "openssh-client", anyExit: true },
    { name: "mkfs.ext4", command: "mkfs.ext4", args: ["-V"], pkg: "e2fsprogs" },
    { name: "debootstrap", command: "debootstrap", args: ["--version"], pkg: "debootstrap" },
  ];
  const checks = await toolChecks(runner, tools, {
    fix: (pkg) => `apt-get install -y --no-install-recommends ${pkg}`,
    timeoutMs: 10_000,
  });
  if (checks[0]?.ok === true) {
    const choice = await accelerator();
    const ok = choice.accelerator === "kvm" || config.vm.accelerator !== "kvm";
    checks.push(
      doctorCheck(
        "accelerator",
        ok,
        `${choice.accelerator.toUpperCase()}: ${choice.reason}`,
        "Enable virtualisation in the firmware and load kvm_intel or kvm_amd, or set vm.accelerator to auto.",
      ),
    );
  }
  if (config.vm.runAs !== "") {
    const exists = userExists(config.vm.runAs);
    checks.push(
      doctorCheck(
        "unprivileged qemu",
        exists,
        exists
          ? `QEMU drops to the user ${config.vm.runAs} once its files are open.`
          : `The user ${config.vm.runAs} does not exist yet (the first VM start creates it).`,
        `useradd --system --no-create-home --shell /usr/sbin/nologin ${config.vm.runAs}`,
      ),
    );
  }
  const free = freemem();
  const needed = config.vm.defaultMemory + (config.vm.tbSizeMiB + 128) * 1024 ** 2;
  checks.push(
    doctorCheck(
      "memory",
      free >= needed,
      `${formatSize(free)} free of ${formatSize(totalmem())}; a default VM needs about ${formatSize(needed)} (guest memory, translation cache, QEMU).`,
      "Stop some workloads or lower vm.defaultMemory.",
    ),
  );
  const image = currentImage(paths.images, config.vm.suite);
  checks.push(
    doctorCheck(
      "vm base image",
      image !== undefined,
      image
        ? `Debian ${image.suite} built ${image.builtAt} in ${image.dir}.`
        : `No Debian ${config.vm.suite} VM image yet (the first VM create builds it, taking minutes).`,
      "Run `voxnix images build` (or `voxnix setup`).",
    ),
  );
  return checks;
}
