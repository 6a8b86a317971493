/** The QEMU runtime's pure parts: the command line, the guest files and the seed, SSH argv and quoting (checked with a real shell). */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { overlayArgs, workspaceMkfsArgs } from "../../../../src/backends/storage/disk-files.js";
import { baseImageFiles, seedFiles } from "../../../../src/runtimes/qemu/guest-files.js";
import { currentImage, IMAGE_RECIPE, imagePointer, vmDebootstrapArgs } from "../../../../src/runtimes/qemu/image.js";
import { vmPaths } from "../../../../src/runtimes/qemu/paths.js";
import { kernelCommandLine, qemuArgs, sandboxOptions } from "../../../../src/runtimes/qemu/qemu-argv.js";
import { remoteCommand, shellQuote, sshArgs } from "../../../../src/runtimes/qemu/ssh.js";
import { guestSessionArgs } from "../../../../src/host/guest-session.js";
import { validateVmSpec } from "../../../../src/domain/vm-spec.js";

const spec = validateVmSpec({ name: "lab", cpus: 2, memory: "768M", disk: "6G", workspace: "256M" });
const files = vmPaths({ root: "/srv/vx/vm", images: "/srv/vx/vm/images", machines: "/srv/vx/vm/machines" }, "lab");
const launch = {
  spec,
  paths: files,
  image: { kernel: "/img/vmlinuz", initrd: "/img/initrd.img" },
  accelerator: "tcg" as const,
  tbSizeMiB: 256,
  sshPort: 40022,
  outbound: false,
};

function option(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, index) => (arg === name ? [args[index + 1] ?? ""] : []));
}

void describe("qemu argv", () => {
  void it("sets CPUs, memory, the TCG translation cache and a direct kernel boot", () => {
    const args = qemuArgs(launch);
    assert.deepEqual(option(args, "-smp"), ["2"]);
    assert.deepEqual(option(args, "-m"), ["768M"]);
    assert.deepEqual(option(args, "-accel"), ["tcg,tb-size=256"]);
    assert.deepEqual(option(args, "-kernel"), ["/img/vmlinuz"]);
    assert.match(option(args, "-append")[0] ?? "", /root=\/dev\/vda .*console=ttyS0/);
    assert.ok(args.includes("-nodefaults") && args.includes("-no-user-config"));
    assert.ok(!args.includes("-daemonize"), "QEMU is detached by voxnix so spawn=deny can stay");
  });

  void it("forwards SSH on loopback only and isolates the guest's network unless outbound is allowed", () => {
    const [netdev = ""] = option(qemuArgs(launch), "-netdev");
    assert.match(netdev, /hostfwd=tcp:127\.0\.0\.1:40022-:22/);
    assert.match(netdev, /restrict=on/);
    assert.doesNotMatch(option(qemuArgs({ ...launch, outbound: true }), "-netdev")[0] ?? "", /restrict=on/);
  });

  void it("attaches the seed read-only and every disk by serial, the console to a bounded ring buffer", () => {
    const drives = option(qemuArgs(launch), "-drive");
    assert.equal(drives.length, 3);
    assert.match(drives[1] ?? "", /seed\.img,format=raw.*readonly=on/);
    assert.doesNotMatch(drives[0] ?? "", /readonly/);
    assert.deepEqual(
      option(qemuArgs(launch), "-device")
        .filter((device) => device.startsWith("virtio-blk"))
        .map((device) => /serial=([^,]+)/.exec(device)?.[1]),
      ["voxnix-root", "voxnix-seed", "voxnix-work"],
    );
    assert.match(option(qemuArgs(launch), "-chardev")[0] ?? "", /^ringbuf,id=console,size=1048576$/);
  });

  void it("sandboxes QEMU and drops to the unprivileged user when configured", () => {
    assert.deepEqual(option(qemuArgs(launch), "-sandbox"), [sandboxOptions(false)]);
    assert.match(sandboxOptions(false), /elevateprivileges=deny,spawn=deny/);
    const dropped = qemuArgs({ ...launch, runAs: "voxnix-vm" });
    assert.deepEqual(option(dropped, "-runas"), ["voxnix-vm"]);
    assert.match(option(dropped, "-sandbox")[0] ?? "", /spawn=deny/);
  });

  void it("uses KVM with the host CPU and keeps the guest's mitigations when KVM works", () => {
    const args = qemuArgs({ ...launch, accelerator: "kvm" });
    assert.deepEqual(option(args, "-accel"), ["kvm"]);
    assert.deepEqual(option(args, "-cpu"), ["host"]);
    assert.doesNotMatch(kernelCommandLine("kvm"), /mitigations=off/);
    assert.match(kernelCommandLine("tcg"), /mitigations=off/);
  });

  void it("refuses a path with a comma (QEMU's option separator) and a bad port", () => {
    assert.throws(() => qemuArgs({ ...launch, paths: { ...files, overlay: "/srv/a,file=/etc/shadow" } }), /comma/);
    assert.throws(() => qemuArgs({ ...launch, sshPort: 22 }), /port/);
  });
});

void describe("disks and image", () => {
  void it("makes the overlay on the base with the VM's disk size", () => {
    assert.deepEqual(overlayArgs("/img/root.qcow2", files.overlay, spec.diskBytes), [
      "create",
      "-q",
      "-f",
      "qcow2",
      "-F",
      "qcow2",
      "-b",
      "/img/root.qcow2",
      files.overlay,
      String(6 * 1024 ** 3),
    ]);
    assert.deepEqual(workspaceMkfsArgs("/w/disk.img", "voxnix-work").slice(-1), ["/w/disk.img"]);
    assert.deepEqual(workspaceMkfsArgs("/w/disk.img", "voxnix-work").slice(2, 4), ["-L", "voxnix-work"]);
  });

  void it("debootstraps minbase with the cloud kernel and sshd", () => {
    const args = vmDebootstrapArgs({
      suite: "bookworm",
      mirror: "http://deb.debian.org/debian",
      target: "/t",
      cacheDir: "/c",
    });
    assert.equal(args[0], "--variant=minbase");
    assert.match(args[1] ?? "", /linux-image-cloud-amd64/);
    assert.match(args[1] ?? "", /openssh-server/);
    assert.ok(args.includes("--cache-dir=/c"));
  });

  void it("the way to a login does not wait for udev: the seed, sshd and the ready marker run without default dependencies", () => {
    const { files: added, links } = baseImageFiles();
    const file = (name: string) => added.find((entry) => entry.path === name)?.content ?? "";
    const seedUnit = file("etc/systemd/system/voxnix-seed.service");
    assert.match(seedUnit, /DefaultDependencies=no/);
    assert.doesNotMatch(seedUnit, /\.device/, "no wait for a udev device unit");
    assert.match(
      file("usr/local/sbin/voxnix-seed"),
      /\/sys\/block\/vd\*\/serial/,
      "the seed disk is found by its serial in sysfs",
    );
    const sshDropIn = file("etc/systemd/system/ssh.service.d/voxnix.conf");
    assert.match(sshDropIn, /DefaultDependencies=no/);
    assert.match(sshDropIn, /After=voxnix-seed\.service/, "sshd starts only once the seed put its host key in place");
    assert.match(sshDropIn, /^ExecStartPre=$/m);
    const ready = file("etc/systemd/system/voxnix-ready.service");
    for (const unit of ["ssh.service", "voxnix-network.service", "voxnix-workspace.service"])
      assert.match(ready, new RegExp(`After=.*${unit.replace(".", "\\.")}`), `ready waits for ${unit}`);
    assert.ok(!links.some((link) => link.path.includes("systemd-networkd")), "networkd is not enabled");
    assert.ok(
      links.some(
        (link) =>
          link.path === "etc/systemd/system-generators/systemd-gpt-auto-generator" && link.target === "/dev/null",
      ),
    );
    const sshd = file("etc/ssh/sshd_config.d/voxnix.conf");
    assert.match(sshd, /PasswordAuthentication no/);
  });

  void it("the image's shell scripts parse, and the initrd scripts answer initramfs-tools' prereqs call", () => {
    const { files: added } = baseImageFiles();
    const scripts = added.filter((file) => file.content.startsWith("#!/bin/sh"));
    assert.ok(scripts.length >= 7, `found ${scripts.length} scripts`);
    const dir = mkdtempSync(path.join(tmpdir(), "vx-guest-"));
    try {
      for (const script of scripts) {
        const target = path.join(dir, path.basename(script.path));
        writeFileSync(target, script.content);
        execFileSync("/bin/sh", ["-n", target]);
        if (script.path.startsWith("etc/initramfs-tools/"))
          assert.equal(execFileSync("/bin/sh", [target, "prereqs"], { encoding: "utf8" }).trim(), "", script.path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("an ACPI power-off reaches the guest without logind: the power-button unit is enabled", () => {
    const { files: added, links } = baseImageFiles();
    assert.match(
      added.find((file) => file.path === "usr/local/sbin/voxnix-power-button")?.content ?? "",
      /systemctl poweroff/,
    );
    assert.ok(
      links.some((link) => link.path === "etc/systemd/system/multi-user.target.wants/voxnix-power-button.service"),
    );
  });

  void it("an image built from another recipe is not current", () => {
    const images = mkdtempSync(path.join(tmpdir(), "vx-images-"));
    try {
      for (const file of ["root.qcow2", "vmlinuz", "initrd.img"]) writeFileSync(path.join(images, file), "");
      const image = {
        dir: images,
        suite: "bookworm",
        disk: path.join(images, "root.qcow2"),
        kernel: path.join(images, "vmlinuz"),
        initrd: path.join(images, "initrd.img"),
        builtAt: "",
        durationMs: 0,
        diskBytes: 0,
      };
      writeFileSync(imagePointer(images, "bookworm"), JSON.stringify({ ...image, recipe: IMAGE_RECIPE }));
      assert.equal(currentImage(images, "bookworm")?.recipe, IMAGE_RECIPE);
      writeFileSync(imagePointer(images, "bookworm"), JSON.stringify({ ...image, recipe: "older" }));
      assert.equal(currentImage(images, "bookworm"), undefined);
    } finally {
      rmSync(images, { recursive: true, force: true });
    }
  });

  void it("the seed carries the hostname, the owner's keys and the voxnix key apart", () => {
    const withKeys = { ...spec, sshKeys: ["ssh-ed25519 AAAA owner"] };
    const seed = Object.fromEntries(
      seedFiles(withKeys, {
        hostPrivate: "PRIVATE",
        hostPublic: "ssh-ed25519 HOST",
        clientPublic: "ssh-ed25519 CLIENT voxnix",
      }).map((file) => [file.path, file]),
    );
    assert.equal(seed.hostname?.content, "lab\n");
    assert.equal(seed.authorized_keys?.content, "ssh-ed25519 AAAA owner\n");
    assert.equal(seed.voxnix_authorized_keys?.content, "ssh-ed25519 CLIENT voxnix\n");
    assert.equal(seed.ssh_host_ed25519_key?.mode, 0o600);
    assert.match(seed["10-voxnix.network"]?.content ?? "", /Address=10\.0\.2\.15\/24/);
  });
});

void describe("ssh", () => {
  const printArgs = (command: string): string[] => {
    const output = execFileSync("/bin/sh", ["-c", `set -- ${command}; printf '%s\\0' "$@"`], { encoding: "utf8" });
    return output.split("\0").slice(0, -1);
  };

  void it("quotes every word so a POSIX shell reads back exactly the argv", () => {
    const argv = [
      "echo",
      "it's",
      "$(reboot)",
      "`id`",
      "a b",
      "*",
      "semi;colon",
      "new\nline",
      "",
      "--",
      "back\\slash",
      '"dq"',
    ];
    assert.deepEqual(printArgs(remoteCommand(argv)), argv);
    assert.equal(shellQuote("plain-word"), "plain-word");
  });

  void it("sets environment through env(1) and refuses bad variable names", () => {
    assert.deepEqual(printArgs(remoteCommand(["true"], { LANG: "C.UTF-8", X: "a b" })), [
      "env",
      "LANG=C.UTF-8",
      "X=a b",
      "true",
    ]);
    assert.throws(() => remoteCommand(["true"], { "A;reboot": "x" }), /variable name/);
  });

  void it("pins the guest's host key, uses only the VM's key and no config, agent or forwarding", () => {
    const args = sshArgs({ name: "lab", port: 40022, clientKey: "/k", knownHosts: "/kh" }, "uname -a", {
      interactive: false,
    });
    for (const expected of [
      "StrictHostKeyChecking=yes",
      "UserKnownHostsFile=/kh",
      "HostKeyAlias=voxnix-vm-lab",
      "IdentitiesOnly=yes",
      "IdentityAgent=none",
      "BatchMode=yes",
      "ForwardAgent=no",
    ]) {
      assert.ok(args.includes(expected), expected);
    }
    assert.deepEqual(args.slice(0, 2), ["-F", "/dev/null"]);
    assert.deepEqual(args.slice(-3), ["root@127.0.0.1", "--", "uname -a"]);
    assert.ok(
      sshArgs({ name: "lab", port: 40022, clientKey: "/k", knownHosts: "/kh" }, undefined, {
        interactive: true,
      }).includes("-tt"),
    );
  });

  void it("opens gateway sessions as ssh does: the client's command line as sent, a terminal when asked, sftp as a subsystem", () => {
    const target = { name: "lab", port: 40022, clientKey: "/k", knownHosts: "/kh" };
    const exec = guestSessionArgs(target, { command: { kind: "exec", command: "uname -r; exit 7" } });
    assert.deepEqual(exec.slice(-4), ["-T", "root@127.0.0.1", "--", "uname -r; exit 7"]);
    const shell = guestSessionArgs(target, {
      command: { kind: "shell" },
      terminal: { term: "xterm", cols: 80, rows: 24 },
    });
    assert.deepEqual(shell.slice(-2), ["-tt", "root@127.0.0.1"]);
    const sftp = guestSessionArgs(target, {
      command: { kind: "sftp" },
      terminal: { term: "xterm", cols: 80, rows: 24 },
    });
    assert.deepEqual(sftp.slice(-4), ["-T", "-s", "root@127.0.0.1", "sftp"], "sftp never gets a terminal");
    for (const args of [exec, shell, sftp])
      assert.ok(args.includes("ClearAllForwardings=yes") && args.includes("StrictHostKeyChecking=yes"));
  });

  void it("forwards a port to the guest's own loopback (ssh -W), with no command, and refuses a bad port", () => {
    const target = { name: "lab", port: 40022, clientKey: "/k", knownHosts: "/kh" };
    assert.deepEqual(sshArgs(target, undefined, { interactive: false, forwardPort: 8080 }).slice(-3), [
      "-W",
      "127.0.0.1:8080",
      "root@127.0.0.1",
    ]);
    for (const port of [0, 65536, 1.5])
      assert.throws(() => sshArgs(target, undefined, { interactive: false, forwardPort: port }), /Not a port/);
    assert.throws(() => sshArgs(target, "true", { interactive: false, forwardPort: 80 }), /no command/);
  });
});
