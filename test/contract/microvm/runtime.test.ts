/**
 * The microvm runtime against a fake NixOS appliance (test/fakes/bin/microvm): fake `nix`
 * (which checks the spec file with the REAL nix/lib/validate-vm.nix), fake `systemctl`
 * running the fake runner as microvm@NAME.service, fake `journalctl` and `chown`; the "guest"
 * is a REAL OpenSSH sshd with the seeded host key and voxnix's key, so exec goes through real
 * ssh with the pinned key. The appliance itself (NixOS, microvm.nix, a hypervisor) is not
 * here: docs/vms.md lists what only a NixOS host can check. Needs root (sshd) and nix-instantiate.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { configSchema } from "../../../src/app/config-schema.js";
import type { BackendDeps } from "../../../src/backends/deps.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { createProcessSpawner } from "../../../src/host/process-spawner.js";
import { createMicrovmRuntime, microvmVmPaths, type MicrovmRuntime } from "../../../src/runtimes/microvm/index.js";
import { validateVmSpec, type VmSpec } from "../../../src/domain/vm-spec.js";
import { HostFailureError, VoxnixError } from "../../../src/domain/errors.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import type { ProgressEvent } from "../../../src/ports/runtime.js";
import type { InteractiveProcess } from "../../../src/ports/command-runner.js";
import { systemClock } from "../../../src/ports/clock.js";
import type { AddressLeases } from "../../../src/ports/address-leases.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import { createFixtureCatalog } from "../../fakes/fixture-catalog.js";
import { ED25519 } from "../../fakes/fixture-ssh-keys.js";
import { directoryDiskVolumes } from "../../../src/backends/storage/directory-disks.js";

const FAKE_BIN = fileURLToPath(new URL("../../fakes/bin/microvm", import.meta.url));
const REPO = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");
const noLeases: AddressLeases = {
  allocate: () => "",
  get: () => undefined,
  release: () => undefined,
  all: () => new Map(),
};

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (the fake guest is a real sshd)";
  for (const tool of ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/nix-instantiate"])
    if (!existsSync(tool)) return `${tool} is missing`;
  return undefined;
}

interface Appliance {
  readonly root: string;
  readonly stateDir: string;
  runtime(env?: Record<string, string>): MicrovmRuntime;
  calls(): { cmd: string; args: string[] }[];
  dispose(): void;
}

function appliance(): Appliance {
  const root = mkdtempSync(join(tmpdir(), "voxnix-microvm-"));
  const stateDir = join(root, "var", "lib", "microvms");
  const config = configSchema.parse({
    vm: { runtime: "microvm", bootTimeoutSeconds: 30, stopTimeoutSeconds: 5 },
    microvm: { flake: REPO, stateDir, root: join(root, "voxnix", "microvm"), commandTimeoutSeconds: 30 },
  });
  return {
    root,
    stateDir,
    runtime(env = {}) {
      const runner = createCommandRunner({
        baseEnv: {
          ...process.env,
          PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`,
          FAKE_HOST_ROOT: root,
          FAKE_MICROVM_STATE_DIR: stateDir,
          ...env,
        },
        killGraceMs: 300,
      });
      const deps: BackendDeps = {
        config,
        stateDir: join(root, "voxnix"),
        runner,
        spawner: createProcessSpawner(),
        logger: new FakeLogger(),
        clock: systemClock,
        leases: noLeases,
        catalog: createFixtureCatalog(),
        diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
      };
      return createMicrovmRuntime(deps);
    },
    calls() {
      try {
        return readFileSync(join(root, "fake", "calls.jsonl"), "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { cmd: string; args: string[] });
      } catch {
        return [];
      }
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const spec = (name: string): VmSpec =>
  validateVmSpec({ kind: "vm", name, cpus: 2, memory: "1G", disk: "3G", workspace: "256M", sshKeys: [ED25519] });
const host = (events: ProgressEvent[] = []) => ({
  ownerLabel: "telegram:42",
  onProgress: (event: ProgressEvent) => void events.push(event),
});
const quiet = { onProgress: () => undefined };
const name = (value: string) => value as WorkloadName;
const allocatedOf = (file: string) => lstatSync(file).blocks * 512;

async function rejection(promise: Promise<unknown>): Promise<VoxnixError> {
  try {
    await promise;
  } catch (error) {
    if (VoxnixError.isInstance(error)) return error;
    throw error;
  }
  assert.fail("expected a rejection");
}

void describe("microvm runtime over a fake appliance", { skip: unavailable() ?? false, timeout: 240_000 }, () => {
  const box = appliance();
  let runtime: MicrovmRuntime;
  before(() => {
    runtime = box.runtime();
  });
  after(async () => {
    for (const vm of ["lab", "lab2"]) await runtime.destroy(name(vm), quiet).catch(() => undefined);
    box.dispose();
  });

  void it("create writes a spec file the Nix side accepts, builds the runner, starts microvm@lab and waits for the guest's sshd", async () => {
    const events: ProgressEvent[] = [];
    await runtime.create(spec("lab"), host(events));
    const files = microvmVmPaths(runtime.paths, "lab");
    const specFile = JSON.parse(readFileSync(files.specFile, "utf8")) as Record<string, any>;
    assert.equal(specFile.memoryMiB, 1024);
    assert.deepEqual(specFile.rootDisk, { image: join(box.stateDir, "lab", "var.img"), sizeMiB: 3072 });
    assert.equal(specFile.seedDirectory, join(box.stateDir, "lab", "seed"));
    assert.deepEqual(specFile.sshKeys, [ED25519]);
    assert.doesNotMatch(
      readFileSync(files.specFile, "utf8"),
      /PRIVATE KEY/,
      "the spec (which reaches the Nix store) holds no private key",
    );
    assert.match(
      readFileSync(join(files.seed, "ssh_host_ed25519_key"), "utf8"),
      /BEGIN OPENSSH PRIVATE KEY/,
      "the host key is in the seed only",
    );
    const build = box.calls().find((call) => call.cmd === "nix" && call.args[0] === "build")!;
    assert.deepEqual(build.args, [
      "build",
      "--impure",
      "--file",
      join(REPO, "nix/lib/microvm-build.nix"),
      "--argstr",
      "specFile",
      files.specFile,
      "--argstr",
      "flake",
      `path:${REPO}`,
      "--out-link",
      join(box.stateDir, "lab", "current"),
    ]);
    assert.ok(
      box
        .calls()
        .some((call) => call.cmd === "systemctl" && call.args.join(" ") === "start --no-block microvm@lab.service"),
    );
    assert.ok(
      box
        .calls()
        .some(
          (call) => call.cmd === "chown" && call.args.join(" ") === `-R microvm:kvm -- ${join(box.stateDir, "lab")}`,
        ),
    );
    assert.deepEqual(
      events.filter((event) => event.type === "step").map((event) => (event as { step: string }).step),
      ["preparing", "building", "starting", "waiting-for-boot", "done"],
    );
  });

  void it("exec runs through real ssh with the pinned host key, every argv word intact", async () => {
    const result = await runtime.exec(name("lab"), ["printf", "%s|", "it's", "a b", "$HOME"], { timeoutMs: 20_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, "it's|a b|$HOME|");
    const [key] = (await runtime.hostKeys!(name("lab")))!;
    assert.equal(
      key,
      readFileSync(join(microvmVmPaths(runtime.paths, "lab").seed, "ssh_host_ed25519_key.pub"), "utf8")
        .trim()
        .split(" ")
        .slice(0, 2)
        .join(" "),
    );
  });

  void it("SSH gateway sessions and port forwards go through the same pinned ssh: a command's output and status, sftp, a port inside the guest", async () => {
    const collect = async (process: InteractiveProcess) => {
      let stdout = "";
      let stderr = "";
      process.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      process.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = await process.exit;
      return { stdout, stderr, exit };
    };
    // The client's command line as sent: the guest's shell parses it, as with any ssh server.
    const exec = await collect(
      await runtime.attach!(name("lab"), {
        command: { kind: "exec", command: "echo out; echo err >&2; exit 7" },
        timeoutMs: 20_000,
      }),
    );
    assert.deepEqual([exec.stdout, exec.stderr, exec.exit.exitCode], ["out\n", "err\n", 7]);
    // sftp: the subsystem speaks the SFTP protocol (its version reply starts with SSH_FXP_VERSION, type 2).
    const sftp = await runtime.attach!(name("lab"), { command: { kind: "sftp" }, timeoutMs: 20_000 });
    const reply = new Promise<Buffer>((resolve) => sftp.stdout.once("data", (chunk: Buffer) => resolve(chunk)));
    sftp.stdin.write(Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]));
    const version = await reply;
    assert.equal(version[4], 2, "SSH_FXP_VERSION");
    sftp.close();
    await sftp.exit;
    // A port inside the guest: here the fake guest's own sshd, which greets with its banner.
    const { sshPort } = JSON.parse(readFileSync(microvmVmPaths(runtime.paths, "lab").record, "utf8")) as {
      sshPort: number;
    };
    const port = await runtime.openPort!(name("lab"), sshPort, { timeoutMs: 20_000 });
    const banner = await new Promise<string>((resolve) =>
      port.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())),
    );
    assert.match(banner, /^SSH-2\.0-OpenSSH/);
    port.close();
    await port.exit;
    // A port nobody listens on: the stream ends at once (ssh's "stdio forwarding failed").
    const closed = await collect(await runtime.openPort!(name("lab"), 1, { timeoutMs: 20_000 }));
    assert.equal(closed.stdout, "");
    assert.equal(closed.exit.exitCode, 255);
  });

  void it("a guest presenting another host key is refused (no trust on first use)", async () => {
    const files = microvmVmPaths(runtime.paths, "lab");
    const pinned = readFileSync(files.knownHosts, "utf8");
    writeFileSync(
      files.knownHosts,
      "voxnix-vm-lab ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYvKXGcG4a19tTT0Rycbn+D0r/YlKltLJ9dY2gR/Fjx\n",
    );
    try {
      const error = await rejection(runtime.exec(name("lab"), ["true"], { timeoutMs: 20_000 }));
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /Could not reach lab over SSH/);
    } finally {
      writeFileSync(files.knownHosts, pinned);
    }
  });

  void it("list and show read the unit's state; logs are the unit's journal without control sequences", async () => {
    assert.deepEqual(await runtime.list(), [{ name: "lab", state: "running", addresses: ["127.0.0.1"] }]);
    const details = (await runtime.show(name("lab")))!;
    assert.equal(details.facts.unit, "microvm@lab.service");
    assert.match(details.facts.ssh ?? "", /^127\.0\.0\.1:\d+$/);
    const lines = (await runtime.logs(name("lab"), { lines: 50 })).map((entry) => entry.message);
    assert.ok(lines.includes("voxnix-vm-ready"), lines.join("\n"));
    assert.ok(lines.includes("Welcome to NixOS"), "escape sequences are removed");
  });

  void it("stop ends the unit (exec is then refused) and start boots it again", async () => {
    await runtime.stop(name("lab"), quiet);
    assert.equal((await runtime.list())[0]?.state, "stopped");
    assert.equal((await rejection(runtime.exec(name("lab"), ["true"], { timeoutMs: 5000 }))).kind, "conflict");
    await runtime.start(name("lab"), host());
    assert.equal((await runtime.exec(name("lab"), ["echo", "back"], { timeoutMs: 20_000 })).stdout, "back\n");
  });

  void it("destroy keeps the root volume and keys under the snapshot id; a restore boots on a copy with the same host key; discard removes it", async () => {
    const files = microvmVmPaths(runtime.paths, "lab");
    const key = (await runtime.hostKeys!(name("lab")))![0];
    await runtime.stop(name("lab"), quiet);
    // What the guest wrote to its root volume (here: a marker where the fake's ext4 would be).
    const fd = openSync(files.rootVolume, "r+");
    writeSync(fd, Buffer.from("voxnix-root-marker"), 0, 18, 4096);
    closeSync(fd);
    const ref = "0b9c2a4e-1111-4222-8333-944455556666";
    const report = await runtime.destroy(name("lab"), { ...quiet, keepRootDisk: ref });
    assert.equal(report.keptRootDisk?.ref, ref);
    assert.ok((report.keptRootDisk?.bytes ?? 0) > 0);
    assert.ok(!existsSync(files.dir) && !existsSync(files.stateDir), "nothing of the VM is left but the kept disk");
    assert.deepEqual(await runtime.list(), []);
    // A retried destroy reports the same kept disk.
    assert.equal((await runtime.destroy(name("lab"), { ...quiet, keepRootDisk: ref })).keptRootDisk?.ref, ref);
    await runtime.create(spec("lab"), { ...host(), rootDiskRef: ref });
    assert.deepEqual(await runtime.hostKeys!(name("lab")), [key], "the same host key");
    const marker = Buffer.alloc(18);
    const restored = openSync(files.rootVolume, "r");
    readSync(restored, marker, 0, 18, 4096);
    closeSync(restored);
    assert.equal(marker.toString(), "voxnix-root-marker", "the root volume came back");
    assert.ok(allocatedOf(files.rootVolume) < 64 * 1024 ** 2, "a sparse copy, not 3 GiB of zeros");
    assert.equal((await runtime.exec(name("lab"), ["echo", "restored"], { timeoutMs: 20_000 })).stdout, "restored\n");
    assert.ok(existsSync(join(runtime.paths.kept, ref)), "the kept copy stays until the core discards it");
    await runtime.discardRootDisk!(ref);
    assert.ok(!existsSync(join(runtime.paths.kept, ref)));
    assert.equal(
      (await rejection(runtime.discardRootDisk!("../../etc"))).kind,
      "host-failure",
      "a reference is a snapshot id, never a path",
    );
  });

  void it("a failed build or boot leaves no folder, runner or running unit behind", async () => {
    for (const step of ["build", "boot"]) {
      const failing = box.runtime({ FAKE_MICROVM_FAIL: step });
      const error = await rejection(failing.create(spec("lab2"), host()));
      assert.equal(error.kind, "host-failure", `${step}: ${error.message}`);
      const files = microvmVmPaths(failing.paths, "lab2");
      assert.ok(!existsSync(files.dir) && !existsSync(files.stateDir), `${step}: nothing left`);
      assert.deepEqual(
        (await runtime.list()).map((vm) => vm.name),
        ["lab"],
      );
    }
  });

  void it("hostile specs are refused before any host command", async () => {
    const before = box.calls().length;
    const hostile = { ...spec("lab3"), name: "../x" } as VmSpec;
    assert.equal((await rejection(runtime.create(hostile, host()))).kind, "invalid-input");
    const badKey = { ...spec("lab3"), sshKeys: ['command="sh" ssh-ed25519 AAAA'] } as VmSpec;
    assert.equal((await rejection(runtime.create(badKey, host()))).kind, "invalid-input");
    assert.equal(box.calls().length, before);
    assert.ok(!readdirSync(runtime.paths.machines).includes("lab3"));
  });

  void it("doctor checks nix, microvm.nix's host unit, the flake and ssh", async () => {
    const checks = await runtime.doctor();
    assert.deepEqual(
      checks.map((check) => [check.name, check.ok]),
      [
        ["microvm: nix", true],
        ["microvm: host module", true],
        ["microvm: voxnix flake", true],
        ["microvm: ssh", true],
      ],
    );
  });
});

void describe("microvm runtime without a flake", () => {
  void it("refuses to create, saying which setting is missing, and writes nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "voxnix-microvm-"));
    try {
      mkdirSync(join(root, "state"));
      const config = configSchema.parse({ vm: { runtime: "microvm" }, microvm: { stateDir: join(root, "microvms") } });
      const runner = createCommandRunner({ baseEnv: { PATH: "/nonexistent" }, killGraceMs: 300 });
      const runtime = createMicrovmRuntime({
        config,
        stateDir: join(root, "state"),
        runner,
        logger: new FakeLogger(),
        clock: systemClock,
        leases: noLeases,
        catalog: createFixtureCatalog(),
      });
      const error = await rejection(runtime.create(spec("lab"), host()));
      assert.match(error.message, /microvm\.flake/);
      assert.ok(!existsSync(join(root, "microvms", "lab")));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
