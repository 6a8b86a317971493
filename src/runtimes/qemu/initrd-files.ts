/**
 * The VM's initrd settings, as files for `/etc/initramfs-tools` in the base image. Debian's
 * cloud kernel builds virtio as modules, so the guest cannot boot without an initrd; this
 * makes the one `update-initramfs` builds as cheap as Debian's own tooling allows:
 *
 * - only the modules a QEMU guest needs (`MODULES=list`), gzip (the build tree has no lz4/zstd);
 * - no resume-from-swap probe (`RESUME=none`: the image has no swap);
 * - no udev inside the initrd. The kernel makes `/dev/vda` in devtmpfs as soon as virtio_blk
 *   probes, and the root is named by that path, so nothing in the initrd needs udev's rules.
 *   Starting udevd, triggering every device and settling cost seconds under TCG, and the real
 *   system's udev coldplugs everything again anyway. initramfs-tools lets scripts in
 *   `/etc/initramfs-tools/scripts` replace Debian's of the same name, which is how udev's
 *   init-top and init-bottom steps are replaced; a hook removes `udevadm` so the initrd's
 *   `wait_for_udev` returns at once instead of waiting for a daemon that never started.
 *
 * @module
 */
import type { GuestFile } from "./guest-files.js";

const PREREQ_HEADER = `PREREQ=""
prereqs() { echo "$PREREQ"; }
case "$1" in
prereqs) prereqs; exit 0 ;;
esac
`;

// Replaces udev's init-top script: udev does not run in this initrd.
const NO_UDEV_TOP = `#!/bin/sh
# voxnix: no udev in the VM's initrd (see initrd-files.ts in voxnix).
${PREREQ_HEADER}`;

// Replaces udev's init-bottom script, keeping its one job that is not about udev: handing the
// initrd's /dev (devtmpfs) to the real root, as initramfs-tools' init expects it to.
const NO_UDEV_BOTTOM = `#!/bin/sh
# voxnix: no udev in the VM's initrd; move /dev to the real root as udev's script would.
${PREREQ_HEADER}
mount -n -o move /dev "\${rootmnt:?}/dev" || mount -n --move /dev "\${rootmnt}/dev"
nuke /dev
ln -s "\${rootmnt}/dev" /dev
`;

// Hooks in /etc run after Debian's; this one removes what udev's hook copied in.
const NO_UDEV_HOOK = `#!/bin/sh
# voxnix: drop udev from the VM's initrd (its scripts are replaced in /etc/initramfs-tools/scripts).
${PREREQ_HEADER}
rm -f "$DESTDIR/bin/udevadm" "$DESTDIR/usr/bin/udevadm" "$DESTDIR/lib/systemd/systemd-udevd" "$DESTDIR/usr/lib/systemd/systemd-udevd"
rm -rf "$DESTDIR/lib/udev/rules.d" "$DESTDIR/usr/lib/udev/rules.d"
`;

/** Files for `/etc/initramfs-tools` in the base image (paths relative to the root). */
export function initrdFiles(): GuestFile[] {
  return [
    {
      path: "etc/initramfs-tools/conf.d/voxnix.conf",
      content: "MODULES=list\nCOMPRESS=gzip\nRESUME=none\n",
      mode: 0o644,
    },
    { path: "etc/initramfs-tools/modules", content: "virtio_pci\nvirtio_blk\nvirtio_net\n", mode: 0o644 },
    { path: "etc/initramfs-tools/scripts/init-top/udev", content: NO_UDEV_TOP, mode: 0o755 },
    { path: "etc/initramfs-tools/scripts/init-bottom/udev", content: NO_UDEV_BOTTOM, mode: 0o755 },
    { path: "etc/initramfs-tools/hooks/voxnix-no-udev", content: NO_UDEV_HOOK, mode: 0o755 },
  ];
}
