/**
 * The `qemu-system-x86_64` command line for one VM, built from validated values only (a
 * `VmSpec`, paths voxnix chose, a port it picked). Pure, so the whole isolation stance is
 * visible and unit-tested in one place:
 *
 * - `-nodefaults -no-user-config`: no device or config file the admin did not ask for.
 * - `-sandbox on,…=deny`: QEMU's seccomp filter; the process cannot fork or execute programs
 *   or change resource limits, even if a guest exploits a device model bug.
 * - `-runas` (when configured): QEMU drops to an unprivileged user once its files are open.
 * - user-mode networking, `restrict=on` unless outbound traffic is allowed: the guest reaches
 *   no host service and no other VM; the only way in is the SSH port forwarded on 127.0.0.1.
 * - serial console into an in-memory ring buffer of fixed size: a guest printing forever
 *   cannot fill the host's disk (voxnix copies it out, bounded, see `console-log.ts`).
 * - `tb-size` under TCG: QEMU's translation cache defaults to 1 GiB per VM; 256 MiB keeps
 *   host memory near the guest's without slowing boot (measured, see docs/vms.md).
 *
 * @module
 */
import type { VmSpec } from "../../domain/vm-spec.js";
import type { BaseImage } from "./image.js";
import type { VmPaths } from "./paths.js";

/** How guest code runs: hardware virtualisation, or QEMU's emulator. */
export type Accelerator = "kvm" | "tcg";

/** Everything the command line needs besides the spec. */
export interface QemuLaunch {
  readonly spec: VmSpec;
  readonly paths: VmPaths;
  readonly image: Pick<BaseImage, "kernel" | "initrd">;
  readonly accelerator: Accelerator;
  /** TCG translation cache in MiB. */
  readonly tbSizeMiB: number;
  /** Host port on 127.0.0.1 forwarded to the guest's port 22. */
  readonly sshPort: number;
  /** Whether the guest may open connections to the outside (never to the host). */
  readonly outbound: boolean;
  /** Host user QEMU drops to after opening its files, if any. */
  readonly runAs?: string;
}

/** The guest's fixed user-mode network (QEMU's slirp defaults, written out). */
export const GUEST_NETWORK = { address: "10.0.2.15", prefixLength: 24, gateway: "10.0.2.2", dns: "10.0.2.3" } as const;

/** Size of the serial console ring buffer (a power of two, as QEMU requires). */
export const CONSOLE_RING_BYTES = 1024 * 1024;
/** The chardev id of the serial console, read over QMP with `ringbuf-read`. */
export const CONSOLE_DEVICE = "console";

/** Serials of the guest's disks: the guest finds them at /dev/disk/by-id/virtio-<serial>. */
export const DISK_SERIALS = { root: "voxnix-root", seed: "voxnix-seed", workspace: "voxnix-work" } as const;

/**
 * The kernel command line: root on the first virtio disk, console on the serial port. Under
 * TCG, `mitigations=off`: the guest's mitigations only separate processes inside the guest
 * (the host is protected by QEMU's process boundary, seccomp and its own kernel), and on
 * translated code they cost much and match nothing the host CPU speculates on; the VM has one
 * owner, root inside. With KVM they run on the real CPU, where they work and cost little.
 */
export function kernelCommandLine(accelerator: Accelerator): string {
  return [
    "root=/dev/vda",
    "rootfstype=ext4",
    "rw",
    "console=ttyS0,115200",
    "quiet",
    "panic=-1",
    "net.ifnames=0",
    "systemd.show_status=false",
    "8250.nr_uarts=1",
    ...(accelerator === "tcg" ? ["mitigations=off", "tsc=reliable", "no_timer_check"] : []),
  ].join(" ");
}

function drive(id: string, file: string, format: "qcow2" | "raw", serial: string, readonly = false): string[] {
  return [
    "-drive",
    `file=${file},format=${format},if=none,id=${id},cache=writeback,discard=unmap${readonly ? ",readonly=on" : ""}`,
    "-device",
    `virtio-blk-pci,drive=${id},serial=${serial}`,
  ];
}

/** QEMU's option syntax splits on commas; none of ours may contain one (paths are voxnix's own). */
function assertNoComma(value: string, what: string): void {
  if (value.includes(",")) throw new Error(`The ${what} path must not contain a comma: ${value}`);
}

/**
 * QEMU's seccomp options. `-runas` calls setuid after the filter is installed, so privilege
 * changes are allowed exactly when QEMU drops to an unprivileged user (after which the kernel
 * refuses any way back to root); without `-runas` they are denied.
 */
export function sandboxOptions(runsAsOtherUser: boolean): string {
  return `on,obsolete=deny,elevateprivileges=${runsAsOtherUser ? "allow" : "deny"},spawn=deny,resourcecontrol=deny`;
}

/** The argv (without the program) that starts the VM; the caller detaches it (see `process.ts`). */
export function qemuArgs(launch: QemuLaunch): string[] {
  const { spec, paths } = launch;
  for (const [what, value] of Object.entries({
    overlay: paths.overlay,
    seed: paths.seed,
    workspace: paths.workspace,
    pidfile: paths.pidFile,
    qmp: paths.qmpSocket,
    kernel: launch.image.kernel,
    initrd: launch.image.initrd,
  })) {
    assertNoComma(value, what);
  }
  if (!Number.isInteger(launch.sshPort) || launch.sshPort < 1024 || launch.sshPort > 65535)
    throw new Error(`Not a usable port: ${launch.sshPort}`);
  const accel =
    launch.accelerator === "kvm"
      ? ["-accel", "kvm", "-cpu", "host"]
      : ["-accel", `tcg,tb-size=${launch.tbSizeMiB}`, "-cpu", "max"];
  const netdev = [
    "user",
    "id=net0",
    `net=${GUEST_NETWORK.address.replace(/\.\d+$/, ".0")}/${GUEST_NETWORK.prefixLength}`,
    `host=${GUEST_NETWORK.gateway}`,
    `dns=${GUEST_NETWORK.dns}`,
    // IPv4 only: one address family to reason about (slirp maps its IPv6 gateway to the host too).
    "ipv6=off",
    ...(launch.outbound ? [] : ["restrict=on"]),
    `hostfwd=tcp:127.0.0.1:${launch.sshPort}-:22`,
  ].join(",");
  return [
    "-name",
    `vx-${spec.name},process=vx-${spec.name}`,
    "-machine",
    "q35",
    ...accel,
    "-smp",
    String(spec.cpus),
    "-m",
    `${spec.memoryBytes / 1024 ** 2}M`,
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-kernel",
    launch.image.kernel,
    "-initrd",
    launch.image.initrd,
    "-append",
    kernelCommandLine(launch.accelerator),
    ...drive("root", paths.overlay, "qcow2", DISK_SERIALS.root),
    ...drive("seed", paths.seed, "raw", DISK_SERIALS.seed, true),
    ...drive("work", paths.workspace, "raw", DISK_SERIALS.workspace),
    "-netdev",
    netdev,
    // No option ROM: the kernel is loaded directly, so the firmware has nothing to network-boot,
    // and loading and running the NIC's PXE ROM costs firmware time under TCG.
    "-device",
    "virtio-net-pci,netdev=net0,romfile=",
    // sshd and the kernel want entropy early; without a source, boot waits for it under TCG.
    "-device",
    "virtio-rng-pci",
    "-chardev",
    `ringbuf,id=${CONSOLE_DEVICE},size=${CONSOLE_RING_BYTES}`,
    "-serial",
    `chardev:${CONSOLE_DEVICE}`,
    "-qmp",
    `unix:${paths.qmpSocket},server=on,wait=off`,
    "-pidfile",
    paths.pidFile,
    "-sandbox",
    sandboxOptions(launch.runAs !== undefined),
    ...(launch.runAs === undefined ? [] : ["-runas", launch.runAs]),
  ];
}
