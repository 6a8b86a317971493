/**
 * The base image's early-boot path, as data: what runs between systemd starting and the host
 * being told the VM is ready. Under TCG every program a boot step starts costs a few hundred
 * milliseconds and every wait on udev's coldplug costs seconds, so the path to a usable SSH
 * login is kept short and independent of udev (measured with `systemd-analyze critical-chain`;
 * see docs/benchmarks.md):
 *
 * 1. `voxnix-seed` and `voxnix-workspace` start as soon as systemd does (the kernel mounted
 *    the root read-write). They find the seed and workspace disks by the serial the kernel
 *    reports in sysfs: the disks exist as soon as virtio_blk probed in the initrd, while
 *    udev's by-id links came ~14 s later. One applies the seed with shell built-ins where it
 *    can, the other mounts the workspace.
 * 2. `voxnix-network`: the fixed address on QEMU's user-mode network with one `ip -batch`
 *    (systemd-networkd took ~8 s to start under TCG and is not enabled; it stays installed).
 * 3. `ssh.service`, by a drop-in, starts after the seed instead of after `basic.target`, and
 *    without its separate `sshd -t` config check (the config is voxnix's own).
 * 4. `voxnix-ready` prints the marker the host waits for; growing the root file system to its
 *    disk runs after it, since nobody needs the extra space to log in.
 *
 * 5. udev's coldplug (`systemd-udev-trigger`) waits for the ready marker.
 *
 * Everything else in the image (udev, journald, tmpfiles, timers) still starts as in any
 * Debian system, just not on the way to the first login.
 *
 * @module
 */
import type { GuestFile, GuestLink } from "./guest-files.js";
import { DISK_SERIALS, GUEST_NETWORK } from "./qemu-argv.js";

/** The line the guest prints on its serial console once sshd is up. */
export const READY_MARKER = "voxnix-vm-ready";

/** The guest's by-id path of a disk (made by udev, so only for what runs after coldplug). */
export const diskById = (serial: string): string => `/dev/disk/by-id/virtio-${serial}`;

// Sets $found to the /dev node of the virtio disk with serial $1, from sysfs (no udev needed),
// waiting up to 20 s for it; both early scripts start with it.
const FIND_DISK = `find_disk() {
  found=
  for serial in /sys/block/vd*/serial; do
    [ -r "$serial" ] || continue
    value=
    read -r value < "$serial" || true
    if [ "$value" = "$1" ]; then
      found=\${serial%/serial}
      found=/dev/\${found##*/}
      [ -b "$found" ] && return 0
    fi
  done
  return 1
}
wait_for_disk() {
  tries=0
  until find_disk "$1"; do
    tries=$((tries + 1))
    [ "$tries" -lt 80 ] || { echo "voxnix: no disk with serial $1" >&2; exit 1; }
    sleep 0.25
  done
}
`;

const SEED_SCRIPT = `#!/bin/sh
# voxnix: apply the seed disk the host made for this VM (read-only, a tar archive), every boot;
# the owner's keys only on the first.
set -eu
${FIND_DISK}wait_for_disk ${DISK_SERIALS.seed}
seed=$found
# Straight from the archive to their places (tar keeps the archive's modes; the image has
# /root/.ssh and /var/lib/voxnix): three programs at most, each costly under emulation.
tar -x --no-same-owner -f "$seed" -C /etc/ssh ssh_host_ed25519_key ssh_host_ed25519_key.pub voxnix_authorized_keys
name=$(tar -x -O -f "$seed" hostname)
printf '%s\n' "$name" > /etc/hostname
printf '%s' "$name" > /proc/sys/kernel/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost ip6-loopback\n' "$name" > /etc/hosts
if [ ! -e /var/lib/voxnix/first-boot-done ]; then
  tar -x --no-same-owner -f "$seed" -C /root/.ssh authorized_keys
  : > /var/lib/voxnix/first-boot-done
fi
`;

// Mounted by its serial for the same reason; its own unit so sshd does not wait for it (the
// host does: voxnix-ready comes after it, so a first command never writes under the mount).
const WORKSPACE_SCRIPT = `#!/bin/sh
# voxnix: mount the workspace disk at /workspace.
set -eu
${FIND_DISK}wait_for_disk ${DISK_SERIALS.workspace}
exec mount -t ext4 "$found" /workspace
`;

const WORKSPACE_UNIT = `[Unit]
Description=Mount the voxnix workspace disk at /workspace
DefaultDependencies=no
Before=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/voxnix-workspace

[Install]
WantedBy=local-fs.target
`;

const SEED_UNIT = `[Unit]
Description=Apply the voxnix seed (hostname, SSH keys)
DefaultDependencies=no
Before=ssh.service sysinit.target local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/voxnix-seed

[Install]
WantedBy=sysinit.target
`;

const NETWORK_SCRIPT = `#!/bin/sh
# voxnix: the guest's fixed address on QEMU's user-mode network ("replace" is idempotent).
set -eu
tries=0
while [ ! -e /sys/class/net/eth0 ]; do
  tries=$((tries + 1))
  [ "$tries" -lt 80 ] || { echo "voxnix: no eth0" >&2; exit 1; }
  sleep 0.25
done
exec ip -batch - <<EOF
link set lo up
link set eth0 up
address replace ${GUEST_NETWORK.address}/${GUEST_NETWORK.prefixLength} dev eth0
route replace default via ${GUEST_NETWORK.gateway} dev eth0
EOF
`;

const NETWORK_UNIT = `[Unit]
Description=Static network on QEMU's user-mode network (voxnix)
DefaultDependencies=no
Wants=network.target
Before=network.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/voxnix-network

[Install]
WantedBy=sysinit.target
`;

// Debian's unit waits for basic.target (all of sysinit, udev's coldplug included) and checks
// the config with a separate `sshd -t` first; neither is needed for a key-only sshd whose
// host key the seed just put in place. Empty ExecStartPre= clears Debian's list.
const SSH_DROP_IN = `# voxnix: start sshd as soon as the seed put its host key in place.
[Unit]
DefaultDependencies=no
After=voxnix-seed.service systemd-journald-dev-log.socket
Wants=voxnix-seed.service
Conflicts=shutdown.target
Before=shutdown.target

[Service]
ExecStartPre=
`;

// udev's coldplug (replaying every device's "add" event through the rules) was the biggest
// consumer of the guest's CPU during boot, and nothing on the way to a login needs it: the
// disks and eth0 come from modules the initrd loaded. Running it after the ready marker
// keeps it from slowing the critical path on an emulated, shared CPU.
const UDEV_TRIGGER_DROP_IN = `# voxnix: coldplug devices once the VM reported ready.
[Unit]
After=voxnix-ready.service
`;

const READY_UNIT = `[Unit]
Description=Tell the voxnix host that sshd is up
DefaultDependencies=no
After=ssh.service voxnix-seed.service voxnix-network.service voxnix-workspace.service
Wants=ssh.service
Conflicts=shutdown.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo ${READY_MARKER} > /dev/ttyS0'

[Install]
WantedBy=multi-user.target
`;

const GROW_ROOT_UNIT = `[Unit]
Description=Grow the root file system to its disk (first boot)
After=voxnix-ready.service
ConditionPathExists=!/var/lib/voxnix/root-grown

[Service]
Type=oneshot
# The kernel's root= names /dev/vda; udev's by-id link may not exist yet this early.
ExecStart=/sbin/resize2fs /dev/vda
ExecStartPost=/bin/touch /var/lib/voxnix/root-grown

[Install]
WantedBy=multi-user.target
`;

// The workspace line is noauto: voxnix-seed mounts it early by serial; the line lets a person
// `mount /workspace` again by hand once udev made the by-id link.
const FSTAB = `${diskById(DISK_SERIALS.root)} / ext4 defaults,errors=remount-ro 0 0
${diskById(DISK_SERIALS.workspace)} /workspace ext4 defaults,noauto 0 0
`;

/** Folders the seed script writes into, made in the image with these modes. */
export const BOOT_DIRS = [
  { path: "root/.ssh", mode: 0o700 },
  { path: "var/lib/voxnix", mode: 0o755 },
] as const;

/** The early-boot files of the base image and the links that enable its units. */
export function bootFiles(): { readonly files: readonly GuestFile[]; readonly links: readonly GuestLink[] } {
  const unit = (name: string) => `etc/systemd/system/${name}`;
  return {
    files: [
      { path: "usr/local/sbin/voxnix-seed", content: SEED_SCRIPT, mode: 0o755 },
      { path: unit("voxnix-seed.service"), content: SEED_UNIT, mode: 0o644 },
      { path: "usr/local/sbin/voxnix-workspace", content: WORKSPACE_SCRIPT, mode: 0o755 },
      { path: unit("voxnix-workspace.service"), content: WORKSPACE_UNIT, mode: 0o644 },
      { path: "usr/local/sbin/voxnix-network", content: NETWORK_SCRIPT, mode: 0o755 },
      { path: unit("voxnix-network.service"), content: NETWORK_UNIT, mode: 0o644 },
      { path: unit("ssh.service.d/voxnix.conf"), content: SSH_DROP_IN, mode: 0o644 },
      { path: unit("voxnix-ready.service"), content: READY_UNIT, mode: 0o644 },
      { path: unit("systemd-udev-trigger.service.d/voxnix.conf"), content: UDEV_TRIGGER_DROP_IN, mode: 0o644 },
      { path: unit("voxnix-grow-root.service"), content: GROW_ROOT_UNIT, mode: 0o644 },
      { path: "etc/fstab", content: FSTAB, mode: 0o644 },
      // With the coldplug after the ready marker, udev would load these late: the ACPI power
      // button and its event device (an early stop must reach the guest) and the entropy device.
      { path: "etc/modules-load.d/voxnix.conf", content: "button\nevdev\nvirtio_rng\n", mode: 0o644 },
      // debootstrap copies the build host's resolver; the guest's is QEMU's.
      { path: "etc/resolv.conf", content: `nameserver ${GUEST_NETWORK.dns}\n`, mode: 0o644 },
    ],
    links: [
      { path: unit("sysinit.target.wants/voxnix-seed.service"), target: "/etc/systemd/system/voxnix-seed.service" },
      {
        path: unit("sysinit.target.wants/voxnix-network.service"),
        target: "/etc/systemd/system/voxnix-network.service",
      },
      {
        path: unit("local-fs.target.wants/voxnix-workspace.service"),
        target: "/etc/systemd/system/voxnix-workspace.service",
      },
      {
        path: unit("multi-user.target.wants/voxnix-ready.service"),
        target: "/etc/systemd/system/voxnix-ready.service",
      },
      {
        path: unit("multi-user.target.wants/voxnix-grow-root.service"),
        target: "/etc/systemd/system/voxnix-grow-root.service",
      },
    ],
  };
}
