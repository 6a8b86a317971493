/**
 * VMs on real QEMU (TCG when KVM is unusable), through the QEMU runtime: the base image built
 * once from Debian packages and cached under `VOXNIX_TEST_CACHE`, then create → SSH answers →
 * exec shows the guest's own kernel and keeps argv intact → the owner's own key logs in → the
 * guest cannot reach host services → the serial log is sanitised and never follows a link →
 * a workspace file survives stop/start → destroy leaves no process or file behind. Hostile
 * specs are refused before any host command. Needs root and qemu; skipped otherwise.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { after, before, describe } from "node:test";
import { configSchema } from "../../src/app/config-schema.js";
import { createQemuRuntime, currentImage, type QemuRuntime } from "../../src/runtimes/qemu/index.js";
import { sshArgs, sshEnvironment } from "../../src/runtimes/qemu/ssh.js";
import { vmPaths } from "../../src/runtimes/qemu/paths.js";
import type { WorkloadName } from "../../src/domain/names.js";
import { validateVmSpec, type VmSpec } from "../../src/domain/vm-spec.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import { CACHE_DIR, storySteps } from "./harness.js";
import { directoryDiskVolumes } from "../../src/backends/storage/directory-disks.js";

function vmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "VM end-to-end tests need root";
  for (const tool of [
    "/usr/bin/qemu-system-x86_64",
    "/usr/bin/qemu-img",
    "/usr/sbin/debootstrap",
    "/usr/bin/ssh",
    "/usr/sbin/mkfs.ext4",
  ]) {
    if (!existsSync(tool))
      return `${tool} is missing (apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils debootstrap openssh-client e2fsprogs)`;
  }
  return undefined;
}

const noop = () => undefined;
const silent = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };

describe("QEMU VM end-to-end", { skip: vmUnavailable(), timeout: 30 * 60_000 }, () => {
  const { step, failed } = storySteps();
  const runner = createCommandRunner();
  let root: string;
  let runtime: QemuRuntime;
  let spec: VmSpec;
  let workspaceDir: string;
  let ownerKey: string;
  let hostService: Server;
  const name = "vmtest" as WorkloadName;

  before(async () => {
    root = mkdtempSync("/var/tmp/vx-vm-e2e-");
    const config = configSchema.parse({
      vm: {
        imageDir: path.join(CACHE_DIR, "vm-images"),
        packageCache: path.join(CACHE_DIR, "vm-debs"),
        bootTimeoutSeconds: 360,
        stopTimeoutSeconds: 60,
      },
    });
    const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
    runtime = createQemuRuntime({
      config,
      stateDir: path.join(root, "state"),
      runner,
      logger: silent,
      clock: { now: () => new Date() },
      leases,
      catalog: { list: () => [], get: () => undefined },
      diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
    });
    workspaceDir = path.join(root, "workspaces", name);
    mkdirSync(workspaceDir, { recursive: true });
    ownerKey = path.join(root, "owner-key");
    const keygen = await runner.run(
      "ssh-keygen",
      ["-q", "-t", "ed25519", "-N", "", "-C", "owner@laptop", "-f", ownerKey],
      { timeoutMs: 30_000 },
    );
    assert.equal(keygen.exitCode, 0);
    spec = validateVmSpec(
      {
        name,
        cpus: 2,
        memory: "512M",
        disk: "3G",
        workspace: "128M",
        sshKeys: [readFileSync(`${ownerKey}.pub`, "utf8")],
      },
      runtime.policy(),
    );
  });

  after(async () => {
    hostService?.close();
    if (failed() && process.env.VOXNIX_INSPECT === "1") {
      console.error(`VOXNIX_INSPECT=1: keeping ${root}`);
      return;
    }
    for (const vm of await runtime.list().catch(() => []))
      await runtime.destroy(vm.name as WorkloadName, { onProgress: noop }).catch(console.error);
    rmSync(root, { recursive: true, force: true });
  });

  const sh = (script: string) => runtime.exec(name, ["sh", "-c", script], { timeoutMs: 120_000 });

  step("builds the base image from Debian packages, or reuses the cached one", async () => {
    if (currentImage(runtime.paths.images, "bookworm") === undefined) {
      const report = await runtime.buildImages({ onProgress: noop });
      assert.match(report.images[0]?.detail ?? "", /VM base image built/);
    }
    const image = currentImage(runtime.paths.images, "bookworm");
    assert.ok(image, "an image is current");
    for (const file of [image.disk, image.kernel, image.initrd]) assert.ok(existsSync(file), file);
  });

  step("refuses hostile specs before any host command", async () => {
    for (const hostile of [
      { ...spec, name: "../../etc" },
      { ...spec, name: "a,file=/etc/shadow" },
      { ...spec, memoryBytes: 1024 ** 5 },
      { ...spec, sshKeys: ['command="sh" ssh-ed25519 AAAA'] },
    ]) {
      await assert.rejects(
        runtime.create(hostile as VmSpec, { ownerLabel: "local:alice", onProgress: noop }),
        (error: Error & { kind?: string }) => error.kind === "invalid-input",
      );
    }
    assert.equal(existsSync(runtime.paths.machines), false, "nothing was written");
  });

  step("creates a VM and waits until its SSH server answers", async () => {
    const steps: string[] = [];
    await runtime.create(spec, {
      ownerLabel: "local:alice",
      workspaceHostPath: workspaceDir,
      onProgress: (event) => event.type === "step" && steps.push(event.step),
    });
    assert.deepEqual(steps, ["preparing", "starting", "waiting-for-boot", "done"]);
    assert.deepEqual(await runtime.list(), [{ name, state: "running", addresses: ["127.0.0.1"] }]);
    const details = await runtime.show(name);
    assert.equal(details?.state, "running");
    assert.match(details?.facts.accelerator ?? "", /^(kvm|tcg)$/);
    assert.match(details?.facts.ssh ?? "", /^127\.0\.0\.1:\d+$/);
    assert.ok(
      existsSync(path.join(workspaceDir, "vm-workspace.img")),
      "the workspace disk lives in the workspace directory the core gave",
    );
    assert.match(runtime.hostKey(name) ?? "", /^ssh-ed25519 AAAA/);
  });

  step("exec runs in the guest's own kernel, with argv intact and exit codes passed through", async () => {
    const uname = await runtime.exec(name, ["uname", "-r"], { timeoutMs: 120_000 });
    assert.equal(uname.exitCode, 0, uname.stderr);
    assert.match(uname.stdout, /cloud-amd64/);
    const hostile = ["it's", "$(touch /tmp/pwned)", "a b;c", "*"];
    const echoed = await runtime.exec(name, ["printf", "%s\\n", ...hostile], { timeoutMs: 120_000 });
    assert.deepEqual(echoed.stdout.split("\n").slice(0, -1), hostile);
    assert.equal((await sh("test -e /tmp/pwned; echo $?")).stdout.trim(), "1");
    assert.equal((await sh("exit 7")).exitCode, 7);
    assert.equal((await sh("hostname")).stdout.trim(), name);
  });

  step("the owner's own SSH key logs in as root", async () => {
    const port = Number((await runtime.show(name))?.facts.ssh?.split(":")[1]);
    const files = vmPaths(runtime.paths, name);
    const result = await runner.run(
      "ssh",
      sshArgs({ name, port, clientKey: ownerKey, knownHosts: files.knownHosts }, "id -u", { interactive: false }),
      { timeoutMs: 120_000, env: sshEnvironment(), isolatedEnv: true },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.trim(), "0");
  });

  step("the guest reaches no host service and nothing outside", async () => {
    hostService = createServer((socket) => socket.end("host secret\n"));
    await new Promise<void>((resolve) => hostService.listen(0, "127.0.0.1", resolve));
    const port = (hostService.address() as { port: number }).port;
    const probe = await sh(`timeout 10 bash -c 'exec 3<>/dev/tcp/10.0.2.2/${port} && cat <&3' ; echo "exit=$?"`);
    assert.doesNotMatch(probe.stdout, /host secret/);
    assert.doesNotMatch(probe.stdout, /exit=0/);
    const outside = await sh("timeout 10 bash -c 'exec 3<>/dev/tcp/1.1.1.1/53'; echo \"exit=$?\"");
    assert.doesNotMatch(outside.stdout, /exit=0/);
  });

  step("the serial log is the guest's text, sanitised, and can never read a host file", async () => {
    const marker = "\u001b[2J\u001b]0;title\u0007/etc/shadow ../../../etc/passwd voxnix-marker";
    const printed = await runtime.exec(name, ["sh", "-c", 'printf "%s\\n" "$1" > /dev/ttyS0', "sh", marker], {
      timeoutMs: 120_000,
    });
    assert.equal(printed.exitCode, 0, printed.stderr);
    const lines = (await runtime.logs(name, { lines: 200 })).map((entry) => entry.message);
    const line = lines.find((text) => text.includes("voxnix-marker"));
    assert.equal(
      line,
      "/etc/shadow ../../../etc/passwd voxnix-marker",
      "escape sequences are removed, paths stay text",
    );
    assert.ok(lines.some((text) => text.includes("voxnix-vm-ready")));
    assert.ok(!lines.some((text) => text.startsWith("root:")), "no host file content");
    const files = vmPaths(runtime.paths, name);
    const saved = readFileSync(files.console);
    rmSync(files.console);
    symlinkSync("/etc/shadow", files.console);
    await assert.rejects(runtime.logs(name, { lines: 10 }), /link/);
    rmSync(files.console);
    writeFileSync(files.console, saved, { mode: 0o600 });
  });

  step("a workspace file survives stop and start", async () => {
    assert.equal((await sh("mountpoint -q /workspace; echo $?")).stdout.trim(), "0", "the workspace disk is mounted");
    assert.equal((await sh("echo kept > /workspace/hello && sync && cat /workspace/hello")).stdout.trim(), "kept");
    await runtime.stop(name, { onProgress: noop });
    assert.deepEqual(await runtime.list(), [{ name, state: "stopped", addresses: [] }]);
    await runtime.stop(name, { onProgress: noop });
    await runtime.start(name, { ownerLabel: "local:alice", onProgress: noop });
    assert.equal((await sh("cat /workspace/hello")).stdout.trim(), "kept");
  });

  step("destroy stops QEMU and removes everything the runtime owns", async () => {
    const pid = Number((await runtime.show(name))?.facts.pid);
    assert.ok(pid > 0);
    await runtime.destroy(name, { onProgress: noop });
    assert.deepEqual(await runtime.list(), []);
    assert.deepEqual(readdirSync(runtime.paths.machines), []);
    assert.equal(
      existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(root),
      false,
      "no QEMU left",
    );
    const leftovers = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(root);
        } catch {
          return false;
        }
      });
    assert.deepEqual(leftovers, []);
    // The workspace disk is the core's (it snapshots and deletes workspaces); the runtime keeps it.
    assert.ok(existsSync(path.join(workspaceDir, "vm-workspace.img")));
    await runtime.destroy(name, { onProgress: noop });
  });
});
