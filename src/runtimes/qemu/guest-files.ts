/**
 * What goes inside the guest, as data: the files voxnix adds to the base image once, and the
 * seed it makes for each VM. Instead of cloud-init (about 18 s slower to SSH under emulation,
 * measured) a first-boot script of a dozen lines applies the seed: hostname, network, the SSH
 * host key voxnix generated (so the host knows it before first boot), the owner's keys, and
 * growing the root file system to the disk's size.
 *
 * The seed is a tar archive written raw onto a read-only virtio disk: no file system to build
 * on the host, no loop mount, nothing the guest can write back. Debian's cloud kernel has no
 * AHCI driver, so a CD-ROM seed would be invisible.
 *
 * @module
 */
import type { VmSpec } from "../../domain/vm-spec.js";
import { DISK_SERIALS, GUEST_NETWORK } from "./qemu-argv.js";

/** A file to write, relative to a root (no leading slash). */
export interface GuestFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** A symbolic link to make in the image. */
export interface GuestLink {
  readonly path: string;
  readonly target: string;
}

/** The line the guest prints on its serial console once sshd is up. */
export const READY_MARKER = "voxnix-vm-ready";

/** The guest's by-id path of a disk. */
export const diskById = (serial: string): string => `/dev/disk/by-id/virtio-${serial}`;

/** systemd's name for a device unit (`systemd-escape --path --suffix=device`). */
export function deviceUnit(devicePath: string): string {
  const escaped = devicePath
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map((part) => part.replace(/[^A-Za-z0-9:_.]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`))
    .join("-");
  return `${escaped}.device`;
}

const SEED_DIR = "/run/voxnix-seed";

const FIRST_BOOT_SCRIPT = `#!/bin/sh
# voxnix: apply the seed disk the host made for this VM (read-only, a tar archive).
set -eu
seed=${diskById(DISK_SERIALS.seed)}
dir=${SEED_DIR}
rm -rf "$dir"
mkdir -m 700 "$dir"
tar -x -f "$seed" -C "$dir"
name=$(cat "$dir/hostname")
printf '%s\\n' "$name" > /etc/hostname
hostname "$name"
printf '127.0.0.1 localhost\\n127.0.1.1 %s\\n::1 localhost ip6-localhost ip6-loopback\\n' "$name" > /etc/hosts
install -m 644 "$dir/10-voxnix.network" /etc/systemd/network/10-voxnix.network
install -m 600 "$dir/ssh_host_ed25519_key" /etc/ssh/ssh_host_ed25519_key
install -m 644 "$dir/ssh_host_ed25519_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
install -m 644 "$dir/voxnix_authorized_keys" /etc/ssh/voxnix_authorized_keys
if [ ! -e /var/lib/voxnix/first-boot-done ]; then
  install -d -m 700 /root/.ssh
  install -m 600 "$dir/authorized_keys" /root/.ssh/authorized_keys
  resize2fs ${diskById(DISK_SERIALS.root)} >/dev/null 2>&1 || true
  mkdir -p /var/lib/voxnix
  touch /var/lib/voxnix/first-boot-done
fi
rm -rf "$dir"
`;

const SEED_UNIT = `[Unit]
Description=Apply the voxnix seed (hostname, network, SSH keys)
DefaultDependencies=no
Requires=${deviceUnit(diskById(DISK_SERIALS.seed))}
After=${deviceUnit(diskById(DISK_SERIALS.seed))} local-fs.target
Before=systemd-networkd.service ssh.service sysinit.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/voxnix-seed

[Install]
WantedBy=sysinit.target
`;

const READY_UNIT = `[Unit]
Description=Tell the voxnix host that sshd is up
After=ssh.service voxnix-seed.service
Wants=ssh.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo ${READY_MARKER} > /dev/ttyS0'

[Install]
WantedBy=multi-user.target
`;

// systemd-logind handles the power button only with D-Bus, which this image leaves out (it
// costs boot time under emulation); without a handler QEMU's ACPI power-off did nothing and
// every stop waited for its timeout. This waits for the power button's first input event.
const POWER_BUTTON_SCRIPT = `#!/bin/sh
# voxnix: power off when the (virtual) ACPI power button is pressed.
for name in /sys/class/input/event*/device/name; do
  [ "$(cat "$name" 2>/dev/null)" = "Power Button" ] || continue
  event=$(basename "$(dirname "$(dirname "$name")")")
  head -c 24 "/dev/input/$event" > /dev/null
  exec systemctl poweroff
done
echo "no power button yet" >&2
exit 1
`;

const POWER_BUTTON_UNIT = `[Unit]
Description=Power off on the ACPI power button (no logind in this image)
After=systemd-udev-trigger.service

[Service]
ExecStart=/usr/local/sbin/voxnix-power-button
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
`;

const SSHD_CONFIG = `# voxnix: keys only; the host key comes from the seed; voxnix's own key is kept apart from root's.
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/voxnix_authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
# Keys only, so PAM adds nothing but seconds per login under emulation.
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
`;

const FSTAB = `${diskById(DISK_SERIALS.root)} / ext4 defaults,errors=remount-ro 0 0
${diskById(DISK_SERIALS.workspace)} /workspace ext4 defaults,nofail,x-systemd.device-timeout=30s 0 0
`;

/** Units masked in the base image: not needed by a headless VM, and each costs boot time under emulation. */
export const MASKED_UNITS = [
  "getty.target",
  "serial-getty@ttyS0.service",
  "systemd-update-utmp.service",
  "systemd-update-utmp-runlevel.service",
  "e2scrub_reap.service",
  "apt-daily.timer",
  "apt-daily-upgrade.timer",
  "e2scrub_all.timer",
  "dpkg-db-backup.timer",
  "fstrim.timer",
  "systemd-tmpfiles-clean.timer",
  // Pseudo file systems and module loads nothing in a headless VM uses; under emulation each
  // costs seconds of boot (systemd-analyze blame, TCG).
  "sys-kernel-debug.mount",
  "sys-kernel-tracing.mount",
  "sys-kernel-config.mount",
  "sys-fs-fuse-connections.mount",
  "dev-hugepages.mount",
  "dev-mqueue.mount",
  "modprobe@configfs.service",
  "modprobe@dm_mod.service",
  "modprobe@drm.service",
  "modprobe@efi_pstore.service",
  "modprobe@fuse.service",
  "modprobe@loop.service",
] as const;

/** Files added to the debootstrapped tree to make the base image. */
export function baseImageFiles(): { readonly files: readonly GuestFile[]; readonly links: readonly GuestLink[] } {
  return {
    files: [
      { path: "usr/local/sbin/voxnix-seed", content: FIRST_BOOT_SCRIPT, mode: 0o755 },
      { path: "etc/systemd/system/voxnix-seed.service", content: SEED_UNIT, mode: 0o644 },
      { path: "etc/systemd/system/voxnix-ready.service", content: READY_UNIT, mode: 0o644 },
      { path: "usr/local/sbin/voxnix-power-button", content: POWER_BUTTON_SCRIPT, mode: 0o755 },
      { path: "etc/systemd/system/voxnix-power-button.service", content: POWER_BUTTON_UNIT, mode: 0o644 },
      { path: "etc/ssh/sshd_config.d/voxnix.conf", content: SSHD_CONFIG, mode: 0o644 },
      { path: "etc/fstab", content: FSTAB, mode: 0o644 },
      { path: "etc/machine-id", content: "", mode: 0o444 },
      // Only the modules a VM on QEMU needs: a smaller initrd decompresses faster under emulation.
      { path: "etc/initramfs-tools/conf.d/voxnix.conf", content: "MODULES=list\nCOMPRESS=gzip\n", mode: 0o644 },
      { path: "etc/initramfs-tools/modules", content: "virtio_pci\nvirtio_blk\nvirtio_net\next4\n", mode: 0o644 },
    ],
    links: [
      { path: "etc/systemd/system/sysinit.target.wants/voxnix-seed.service", target: "/etc/systemd/system/voxnix-seed.service" },
      { path: "etc/systemd/system/multi-user.target.wants/voxnix-ready.service", target: "/etc/systemd/system/voxnix-ready.service" },
      { path: "etc/systemd/system/multi-user.target.wants/voxnix-power-button.service", target: "/etc/systemd/system/voxnix-power-button.service" },
      { path: "etc/systemd/system/multi-user.target.wants/systemd-networkd.service", target: "/lib/systemd/system/systemd-networkd.service" },
      { path: "etc/systemd/system/sockets.target.wants/systemd-networkd.socket", target: "/lib/systemd/system/systemd-networkd.socket" },
      ...MASKED_UNITS.map((unit) => ({ path: `etc/systemd/system/${unit}`, target: "/dev/null" })),
    ],
  };
}

/** The SSH keys a seed carries. */
export interface SeedKeys {
  /** The guest's host key pair, generated by voxnix. */
  readonly hostPrivate: string;
  readonly hostPublic: string;
  /** The public half of the key voxnix holds for `exec`. */
  readonly clientPublic: string;
}

/** The files of one VM's seed (each becomes an entry in the tar archive). */
export function seedFiles(spec: VmSpec, keys: SeedKeys): GuestFile[] {
  const network = `[Match]\nName=eth0\n\n[Network]\nAddress=${GUEST_NETWORK.address}/${GUEST_NETWORK.prefixLength}\nGateway=${GUEST_NETWORK.gateway}\nDNS=${GUEST_NETWORK.dns}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`;
  const line = (text: string) => `${text.trim()}\n`;
  return [
    { path: "hostname", content: `${spec.name}\n`, mode: 0o644 },
    { path: "10-voxnix.network", content: network, mode: 0o644 },
    { path: "authorized_keys", content: spec.sshKeys.map(line).join(""), mode: 0o600 },
    { path: "voxnix_authorized_keys", content: line(keys.clientPublic), mode: 0o644 },
    { path: "ssh_host_ed25519_key", content: keys.hostPrivate.endsWith("\n") ? keys.hostPrivate : `${keys.hostPrivate}\n`, mode: 0o600 },
    { path: "ssh_host_ed25519_key.pub", content: line(keys.hostPublic), mode: 0o644 },
  ];
}
