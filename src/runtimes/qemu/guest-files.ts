/**
 * What goes inside the guest, as data: the files voxnix adds to the base image once, and the
 * seed it makes for each VM. Instead of cloud-init (about 18 s slower to SSH under emulation,
 * measured) a first-boot script of a few lines applies the seed: hostname, the SSH host key
 * voxnix generated (so the host knows it before first boot) and the owner's keys; the early
 * boot path around it is in `boot-files.ts`, the initrd settings in `initrd-files.ts`.
 *
 * The seed is a tar archive written raw onto a read-only virtio disk: no file system to build
 * on the host, no loop mount, nothing the guest can write back. Debian's cloud kernel has no
 * AHCI driver, so a CD-ROM seed would be invisible.
 *
 * @module
 */
import type { VmSpec } from "../../domain/vm-spec.js";
import { bootFiles } from "./boot-files.js";
import { initrdFiles } from "./initrd-files.js";
import { GUEST_NETWORK } from "./qemu-argv.js";

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

export { READY_MARKER, diskById } from "./boot-files.js";

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

/**
 * systemd generators that have nothing to find in a VM with one ext4 root and no encryption,
 * verity, GPT auto-discovery, hibernation or text consoles. systemd runs every generator
 * before it starts any unit, and under TCG each costs a program start on the boot's critical
 * path; a link to /dev/null in /etc/systemd/system-generators turns one off (systemd.generator(7)).
 */
export const DISABLED_GENERATORS = [
  "systemd-cryptsetup-generator",
  "systemd-gpt-auto-generator",
  "systemd-hibernate-resume-generator",
  "systemd-integritysetup-generator",
  "systemd-veritysetup-generator",
  "systemd-getty-generator",
] as const;

/** The systemd-networkd file older images' first-boot scripts install from the seed. */
const NETWORK_FILE = `[Match]\nName=eth0\n\n[Network]\nAddress=${GUEST_NETWORK.address}/${GUEST_NETWORK.prefixLength}\nGateway=${GUEST_NETWORK.gateway}\nDNS=${GUEST_NETWORK.dns}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`;

/** Files added to the debootstrapped tree to make the base image. */
export function baseImageFiles(): { readonly files: readonly GuestFile[]; readonly links: readonly GuestLink[] } {
  const boot = bootFiles();
  return {
    files: [
      ...boot.files,
      { path: "usr/local/sbin/voxnix-power-button", content: POWER_BUTTON_SCRIPT, mode: 0o755 },
      { path: "etc/systemd/system/voxnix-power-button.service", content: POWER_BUTTON_UNIT, mode: 0o644 },
      { path: "etc/ssh/sshd_config.d/voxnix.conf", content: SSHD_CONFIG, mode: 0o644 },
      { path: "etc/machine-id", content: "", mode: 0o444 },
      ...initrdFiles(),
    ],
    links: [
      ...boot.links,
      {
        path: "etc/systemd/system/multi-user.target.wants/voxnix-power-button.service",
        target: "/etc/systemd/system/voxnix-power-button.service",
      },
      ...MASKED_UNITS.map((unit) => ({ path: `etc/systemd/system/${unit}`, target: "/dev/null" })),
      ...DISABLED_GENERATORS.map((generator) => ({
        path: `etc/systemd/system-generators/${generator}`,
        target: "/dev/null",
      })),
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
  const line = (text: string) => `${text.trim()}\n`;
  return [
    { path: "hostname", content: `${spec.name}\n`, mode: 0o644 },
    // Older images' first-boot scripts install the network from the seed; new images carry it.
    { path: "10-voxnix.network", content: NETWORK_FILE, mode: 0o644 },
    { path: "authorized_keys", content: spec.sshKeys.map(line).join(""), mode: 0o600 },
    { path: "voxnix_authorized_keys", content: line(keys.clientPublic), mode: 0o644 },
    {
      path: "ssh_host_ed25519_key",
      content: keys.hostPrivate.endsWith("\n") ? keys.hostPrivate : `${keys.hostPrivate}\n`,
      mode: 0o600,
    },
    { path: "ssh_host_ed25519_key.pub", content: line(keys.hostPublic), mode: 0o644 },
  ];
}
