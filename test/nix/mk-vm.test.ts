/**
 * mkVm (microvm.nix on the appliance) evaluated purely with Debian's nix-instantiate: the
 * `microvm.vms.<name>` declaration a VM spec becomes, the guest module's microvm options,
 * every `voxnix:` refusal of a bad spec, that no secret reaches the result, and the runner
 * entry the microvm runtime builds. What needs NixOS and microvm.nix themselves (option
 * types, the runner's build) is checked on a NixOS host only (docs/vms.md says which).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { evalError, evalJson, nixString, nixTestDirectory, withSpecFile } from "./nix.js";

// Evaluated NixOS module fragments are arbitrary nested data; tests index into them freely.
type Fragment = Record<string, any>;

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYvKXGcG4a19tTT0Rycbn+D0r/YlKltLJ9dY2gR/Fjx alice@laptop";

const qemuSpec = {
  version: 1,
  kind: "vm",
  name: "lab",
  owner: "telegram:42",
  hypervisor: "qemu",
  cpus: 2,
  memoryMiB: 2048,
  rootDisk: { image: "/var/lib/microvms/lab/var.img", sizeMiB: 4096 },
  workspace: { image: "/tank/users/telegram_42/vms/lab/workspace.img", sizeMiB: 1024 },
  seedDirectory: "/var/lib/voxnix/microvm/lab/seed",
  network: { type: "user", sshPort: 22001 },
  sshKeys: [KEY],
  autoStart: false,
};

const chSpec = {
  ...qemuSpec,
  name: "box",
  hypervisor: "cloud-hypervisor",
  workspace: { directory: "/tank/users/telegram_42/vms/box/workspace" },
  network: { type: "tap", interface: "vx-box", mac: "02:00:00:00:0a:01" },
  autoStart: true,
};

const evaluate = (spec: unknown): Fragment =>
  withSpecFile(spec, (specFile) => evalJson(`import ${nixString(join(nixTestDirectory, "eval-vm-spec.nix"))} { specFile = ${nixString(specFile)}; }`) as Fragment);

const refusal = (spec: unknown): string =>
  withSpecFile(spec, (specFile) => evalError(`builtins.attrNames (import ${nixString(join(nixTestDirectory, "eval-vm-spec.nix"))} { specFile = ${nixString(specFile)}; }).microvm.vms.lab.config`));

void describe("mkVm: a qemu VM with user-mode networking and a workspace volume", () => {
  const result = evaluate(qemuSpec);
  const vm = result.microvm.vms.lab;
  const guest = vm.config;

  void it("declares exactly microvm.vms.<name>, with autostart from the spec", () => {
    assert.deepEqual(Object.keys(result.microvm.vms), ["lab"]);
    assert.equal(vm.autostart, false);
  });
  void it("labels the guest module with its file (a path string, not a store copy)", () => {
    assert.match(String(guest._file), /\/nix\/lib\/vm-guest\.nix$/);
    assert.ok(!String(guest._file).startsWith("/nix/store/"));
  });
  void it("sets the hypervisor, vCPUs and memory in MiB", () => {
    assert.equal(guest.microvm.hypervisor, "qemu");
    assert.equal(guest.microvm.vcpu, 2);
    assert.equal(guest.microvm.mem, 2048);
    assert.equal(guest.networking.hostName, "lab");
  });
  void it("has the root volume at /var and the workspace volume at /workspace, sized in MiB", () => {
    assert.deepEqual(guest.microvm.volumes, [
      { image: "/var/lib/microvms/lab/var.img", mountPoint: "/var", size: 4096, fsType: "ext4", autoCreate: true },
      { image: "/tank/users/telegram_42/vms/lab/workspace.img", mountPoint: "/workspace", size: 1024, fsType: "ext4", autoCreate: true },
    ]);
  });
  void it("shares the host's store and the seed over 9p (QEMU needs no helper daemon for it)", () => {
    assert.deepEqual(guest.microvm.shares, [
      { tag: "ro-store", source: "/nix/store", mountPoint: "/nix/.ro-store", proto: "9p" },
      { tag: "voxnix-seed", source: "/var/lib/voxnix/microvm/lab/seed", mountPoint: "/run/voxnix-seed", proto: "9p" },
    ]);
  });
  void it("forwards only the guest's SSH, to 127.0.0.1 on the spec's port", () => {
    assert.deepEqual(guest.microvm.interfaces, [{ type: "user", id: "vx-lab", mac: "02:00:00:00:00:01" }]);
    assert.deepEqual(guest.microvm.forwardPorts, [{ from: "host", proto: "tcp", host: { address: "127.0.0.1", port: 22001 }, guest: { port: 22 } }]);
  });
  void it("runs sshd with the seeded host key, keys only, the owner's keys for root and voxnix's key file", () => {
    const ssh = guest.services.openssh;
    assert.equal(ssh.enable, true);
    assert.deepEqual(ssh.hostKeys, [{ path: "/etc/ssh/ssh_host_ed25519_key", type: "ed25519" }]);
    assert.deepEqual(ssh.authorizedKeysFiles, ["/etc/ssh/voxnix_authorized_keys"]);
    assert.equal(ssh.settings.PasswordAuthentication, false);
    assert.deepEqual(guest.users.users.root.openssh.authorizedKeys.keys, [KEY]);
    assert.deepEqual(guest.networking.firewall.allowedTCPPorts, [22]);
  });
  void it("installs the seed before sshd and prints the ready line after it", () => {
    const seed = guest.systemd.services["voxnix-seed"];
    assert.deepEqual(seed.before, ["sshd.service"]);
    assert.match(seed.script, /install -m 0600 \/run\/voxnix-seed\/ssh_host_ed25519_key \/etc\/ssh\/ssh_host_ed25519_key/);
    const ready = guest.systemd.services["voxnix-ready"];
    assert.deepEqual(ready.after, ["sshd.service"]);
    assert.equal(ready.script, "echo voxnix-vm-ready");
  });
});

void describe("mkVm: cloud-hypervisor with a tap interface and a shared workspace directory", () => {
  const guest = evaluate(chSpec).microvm.vms.box.config;
  void it("uses virtiofs for every share (cloud-hypervisor has no 9p) and shares the workspace directory", () => {
    assert.deepEqual(guest.microvm.shares.map((share: Fragment) => [share.tag, share.proto, share.mountPoint]), [
      ["ro-store", "virtiofs", "/nix/.ro-store"],
      ["voxnix-seed", "virtiofs", "/run/voxnix-seed"],
      ["workspace", "virtiofs", "/workspace"],
    ]);
    assert.equal(guest.microvm.volumes.length, 1, "only the root volume");
  });
  void it("attaches the tap interface and forwards no ports", () => {
    assert.deepEqual(guest.microvm.interfaces, [{ type: "tap", id: "vx-box", mac: "02:00:00:00:0a:01" }]);
    assert.deepEqual(guest.microvm.forwardPorts, []);
  });
  void it("honours autostart", () => {
    assert.equal(evaluate(chSpec).microvm.vms.box.autostart, true);
  });
});

void describe("mkVm refuses bad specs with a voxnix: message", () => {
  const cases: [string, unknown, RegExp][] = [
    ["a non-object spec", [1, 2], /voxnix: the VM spec must be a JSON object/],
    ["an unknown field (a private key cannot ride along)", { ...qemuSpec, hostKeyPrivate: "-----BEGIN OPENSSH PRIVATE KEY-----" }, /voxnix: VM spec has unknown fields: hostKeyPrivate/],
    ["a missing field", { ...qemuSpec, seedDirectory: undefined }, /voxnix: VM spec is missing required fields: seedDirectory/],
    ["another version", { ...qemuSpec, version: 2 }, /voxnix: unsupported VM spec version 2/],
    ["a container spec", { ...qemuSpec, kind: "container" }, /voxnix: spec.kind must be "vm"/],
    ["a name with a quote", { ...qemuSpec, name: 'lab"; rm' }, /voxnix: spec.name .* is not a valid VM name/],
    ["an unknown hypervisor", { ...qemuSpec, hypervisor: "firecracker" }, /voxnix: spec.hypervisor must be one of 'qemu', 'cloud-hypervisor'/],
    ["fractional CPUs", { ...qemuSpec, cpus: 1.5 }, /voxnix: spec.cpus must be a whole number from 1 to 64/],
    ["too little memory", { ...qemuSpec, memoryMiB: 64 }, /voxnix: spec.memoryMiB must be a whole number of MiB from 256/],
    ["a root image path with a comma (QEMU's separator)", { ...qemuSpec, rootDisk: { image: "/var/lib/x,readonly=off", sizeMiB: 4096 } }, /voxnix: spec.rootDisk.image must be an absolute path/],
    ["a workspace path with ..", { ...qemuSpec, workspace: { directory: "/tank/../etc" } }, /voxnix: spec.workspace.directory must be an absolute path without '..'/],
    ["a workspace with both forms", { ...qemuSpec, workspace: { directory: "/tank/w", image: "/tank/w.img" } }, /voxnix: spec.workspace is either/],
    ["a relative seed directory", { ...qemuSpec, seedDirectory: "seed" }, /voxnix: spec.seedDirectory must be an absolute path/],
    ["user networking on cloud-hypervisor", { ...chSpec, network: { type: "user", sshPort: 22001 } }, /voxnix: spec.network.type 'user' .* needs the qemu hypervisor/],
    ["a privileged SSH port", { ...qemuSpec, network: { type: "user", sshPort: 22 } }, /voxnix: spec.network.sshPort must be a port number from 1024/],
    ["a long interface name", { ...chSpec, network: { type: "tap", interface: "vx-a-very-long-name", mac: "02:00:00:00:0a:01" } }, /voxnix: spec.network.interface must be an interface name/],
    ["a multicast MAC", { ...chSpec, network: { type: "tap", interface: "vx-box", mac: "01:00:5e:00:00:01" } }, /voxnix: spec.network.mac must be a locally administered MAC/],
    ["an SSH key with options", { ...qemuSpec, sshKeys: [`command="sh" ${KEY}`] }, /voxnix: spec.sshKeys has an entry that is not an SSH public key line/],
    ["an SSH key with a newline", { ...qemuSpec, sshKeys: [`${KEY}\nssh-ed25519 AAAA evil`] }, /voxnix: spec.sshKeys has an entry that is not an SSH public key line/],
    ["a private key as an SSH key", { ...qemuSpec, sshKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] }, /voxnix: spec.sshKeys has an entry that is not an SSH public key line/],
    ["autoStart as a string", { ...qemuSpec, autoStart: "yes" }, /voxnix: spec.autoStart must be true or false/],
  ];
  for (const [what, spec, message] of cases) {
    void it(`refuses ${what}`, () => {
      const text = refusal(spec);
      assert.match(text, message, text);
      if (what.startsWith("a private key") || what.startsWith("an unknown field")) assert.doesNotMatch(text, /BEGIN OPENSSH PRIVATE KEY/, "the refusal does not echo the secret");
    });
  }
});

void describe("secrets stay out of the evaluated result", () => {
  void it("names the seed directory but never reads it: a private key there does not reach the result", () => {
    withSpecFile({}, (_unused, directory) => {
      const seed = directory;
      const secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAADoNotLeakThis\n-----END OPENSSH PRIVATE KEY-----\n";
      writeFileSync(join(directory, "ssh_host_ed25519_key"), secret);
      const text = JSON.stringify(evaluate({ ...qemuSpec, seedDirectory: seed }));
      assert.ok(text.includes(seed), "the seed path is configured");
      assert.ok(!text.includes("DoNotLeakThis"), "the private key is not in the result");
    });
  });
});

void describe("the microvm runner entry (nix/lib/microvm-runner.nix)", () => {
  void it("builds NixOS from microvm.nix's module and the guest module, and answers its declaredRunner", () => {
    const runner = withSpecFile(qemuSpec, (specFile) => evalJson(`import ${nixString(join(nixTestDirectory, "microvm-runner-eval.nix"))} { specFile = ${nixString(specFile)}; }`)) as Fragment;
    assert.equal(runner.system, "x86_64-linux");
    assert.equal(runner.firstModule, "microvm.nix/nixos-modules/microvm");
    assert.match(runner.guest._file, /vm-guest\.nix$/);
    assert.equal(runner.guest.microvm.mem, 2048);
  });
  void it("refuses a bad spec file before NixOS is evaluated", () => {
    const text = withSpecFile({ ...qemuSpec, name: "../x" }, (specFile) => evalError(`import ${nixString(join(nixTestDirectory, "microvm-runner-eval.nix"))} { specFile = ${nixString(specFile)}; }`));
    assert.match(text, /voxnix: spec.name '..\/x' is not a valid VM name/);
  });
});
