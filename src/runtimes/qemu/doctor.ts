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
import { runOk } from "../../host/commands.js";
import type { AcceleratorChoice } from "./accelerator.js";
import { currentImage } from "./image.js";
import type { QemuPaths } from "./paths.js";
import { QEMU_BINARY } from "./process.js";

function check(name: string, ok: boolean, detail: string, fix: string): DoctorCheck {
  return ok ? { name, ok, detail } : { name, ok, detail, fix };
}

/** Runs the checks. */
export async function qemuDoctor(runner: CommandRunner, paths: QemuPaths, config: Config, accelerator: () => Promise<AcceleratorChoice>, userExists: (name: string) => boolean): Promise<DoctorCheck[]> {
  const tools: [string, string, readonly string[], string][] = [
    ["qemu", QEMU_BINARY, ["--version"], "qemu-system-x86"],
    ["qemu-img", "qemu-img", ["--version"], "qemu-utils"],
    ["ssh client", "ssh", ["-V"], "openssh-client"],
    ["ssh-keygen", "ssh-keygen", ["-?"], "openssh-client"],
    ["mkfs.ext4", "mkfs.ext4", ["-V"], "e2fsprogs"],
    ["debootstrap", "debootstrap", ["--version"], "debootstrap"],
  ];
  const present = await Promise.all(tools.map(([name, command, args]) => (name === "ssh-keygen" ? runner.run(command, args, { timeoutMs: 10_000 }).then(() => true, () => false) : runOk(runner, command, args, 10_000))));
  const checks: DoctorCheck[] = tools.map(([name, command, , pkg], index) => {
    const ok = present[index] === true;
    return check(name, ok, ok ? `${command} is installed.` : `${command} is missing.`, `apt-get install -y --no-install-recommends ${pkg}`);
  });
  if (present[0] === true) {
    const choice = await accelerator();
    const ok = choice.accelerator === "kvm" || config.vm.accelerator !== "kvm";
    checks.push(check("accelerator", ok, `${choice.accelerator.toUpperCase()}: ${choice.reason}`, "Enable virtualisation in the firmware and load kvm_intel or kvm_amd, or set vm.accelerator to auto."));
  }
  if (config.vm.runAs !== "") {
    const exists = userExists(config.vm.runAs);
    checks.push(check("unprivileged qemu", exists, exists ? `QEMU drops to the user ${config.vm.runAs} once its files are open.` : `The user ${config.vm.runAs} does not exist yet (the first VM start creates it).`, `useradd --system --no-create-home --shell /usr/sbin/nologin ${config.vm.runAs}`));
  }
  const free = freemem();
  const needed = config.vm.defaultMemory + (config.vm.tbSizeMiB + 128) * 1024 ** 2;
  checks.push(check("memory", free >= needed, `${formatSize(free)} free of ${formatSize(totalmem())}; a default VM needs about ${formatSize(needed)} (guest memory, translation cache, QEMU).`, "Stop some workloads or lower vm.defaultMemory."));
  const image = currentImage(paths.images, config.vm.suite);
  checks.push(
    check(
      "vm base image",
      image !== undefined,
      image ? `Debian ${image.suite} built ${image.builtAt} in ${image.dir}.` : `No Debian ${config.vm.suite} VM image yet (the first VM create builds it, taking minutes).`,
      "Run `voxnix images build` (or `voxnix setup`).",
    ),
  );
  return checks;
}
