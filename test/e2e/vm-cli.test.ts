/**
 * A VM through the BUILT CLI, as a person types it (`node bin/voxnix.js`, `vm.runtime: qemu`,
 * real QEMU under TCG when KVM is unusable): `ctl create lab --vm` → `ctl exec` shows the
 * guest's own Debian and kernel → `ctl host-key` prints the key the guest really serves →
 * `ctl storage` counts the root disk → a workspace file survives `ctl stop`/`ctl start` →
 * `ctl set` gives the running VM one CPU and more memory (a confirmed restart) →
 * another user can neither see nor reach it → `ctl destroy` asks for confirmation, and
 * `ctl confirm` leaves no VM folder behind but keeps the root disk for undo → `ctl restore`
 * brings back a file from the root disk, the workspace and the same host key (bob cannot
 * restore it). One VM: TCG on two cores is slow. Needs root,
 * the nspawn tools (the harness's container runtime) and qemu; skipped otherwise. The base
 * image comes from `VOXNIX_TEST_CACHE` (built there once, as `vm.test.ts` does).
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, type CliResult, type E2eEnv } from "./harness.js";
import { VM_IMAGE_DIR, VM_PACKAGE_CACHE, ensureVmImage } from "./vm-image.js";

function unavailable(): string | undefined {
  const e2e = e2eUnavailable();
  if (e2e) return e2e;
  for (const tool of ["/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-img", "/usr/bin/ssh", "/usr/sbin/mkfs.ext4"]) {
    if (!existsSync(tool))
      return `${tool} is missing (apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils openssh-client e2fsprogs)`;
  }
  return undefined;
}

const alice = ["--as", "local:alice"];
const bob = ["--as", "local:bob"];
const SLOW = { timeoutMs: 20 * 60_000 };

/** The `result` of a `--json` run that succeeded. */
function result<T>(run: CliResult): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}${run.stdout}`);
  return (JSON.parse(run.stdout) as { result: T }).result;
}

describe("a VM through the built CLI", { skip: unavailable(), timeout: 40 * 60_000 }, () => {
  const { step, failed } = storySteps();
  let env: E2eEnv;
  let hostKeyBefore = "";

  before(async () => {
    env = await createE2eEnv({
      diskQuota: "8G",
      extraConfig: {
        vm: {
          runtime: "qemu",
          imageDir: VM_IMAGE_DIR,
          packageCache: VM_PACKAGE_CACHE,
          bootTimeoutSeconds: 600,
          stopTimeoutSeconds: 60,
        },
      },
    });
  });

  after(async () => {
    // The harness removes containers; a VM left by a failed step is destroyed through the CLI.
    if (!(failed() && process.env.VOXNIX_INSPECT === "1")) {
      const left = await voxnix(env, [...alice, "--yes", "ctl", "destroy", "lab"], SLOW).catch(() => undefined);
      if (left && left.code !== 0 && left.code !== 3) console.error(left.stderr);
    }
    await env?.cleanup(failed());
  });

  step("the VM base image is there (built once, cached)", () => ensureVmImage(env));

  step("a disk larger than the quota allows is refused with a clear error, and nothing is created", async () => {
    const refused = await voxnix(env, [...alice, "ctl", "create", "huge", "--vm", "--disk", "16G"]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /needs 17G of your disk quota[\s\S]*Nothing was created/);
    assert.deepEqual(
      result<{ workloads: unknown[] }>(await voxnix(env, [...alice, "--json", "ctl", "list"])).workloads,
      [],
    );
  });

  step("ctl create lab --vm boots a VM and waits for it", async () => {
    const created = await voxnix(
      env,
      [
        ...alice,
        "ctl",
        "create",
        "lab",
        "--vm",
        "--cpu",
        "2",
        "--memory",
        "512M",
        "--disk",
        "3G",
        "--workspace-size",
        "256M",
      ],
      SLOW,
    );
    assert.equal(created.code, 0, created.stderr);
    const listed = result<{ workloads: { name: string; spec: { kind: string }; live: string }[] }>(
      await voxnix(env, [...alice, "--json", "ctl", "list"]),
    );
    assert.deepEqual(
      listed.workloads.map((workload) => [workload.name, workload.spec.kind, workload.live]),
      [["lab", "vm", "running"]],
    );
  });

  step("ctl exec runs in the guest: its own Debian and kernel", async () => {
    const release = await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "cat", "/etc/os-release"], SLOW);
    assert.equal(release.code, 0, release.stderr);
    assert.match(release.stdout, /Debian GNU\/Linux 12/);
    const kernel = await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "uname", "-r"], SLOW);
    assert.match(kernel.stdout, /cloud-amd64/);
  });

  step(
    "ctl host-key prints the key the guest serves, its fingerprint and its age recipient; bob gets not found",
    async () => {
      const report = result<{
        workload: string;
        keys: { key: string; fingerprint: string; ageRecipient?: string; nativeAgeRecipient?: string }[];
      }>(await voxnix(env, [...alice, "--json", "ctl", "host-key", "lab"]));
      assert.equal(report.keys.length, 1);
      const [key] = report.keys;
      assert.match(key!.key, /^ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$/);
      assert.equal(key!.ageRecipient, key!.key, "an ssh-ed25519 key is an age recipient as it is");
      const served = await voxnix(
        env,
        [...alice, "ctl", "exec", "lab", "--", "cat", "/etc/ssh/ssh_host_ed25519_key.pub"],
        SLOW,
      );
      assert.equal(served.stdout.trim().split(" ").slice(0, 2).join(" "), key!.key, "the guest serves the pinned key");
      const fingerprint = await voxnix(
        env,
        [...alice, "ctl", "exec", "lab", "--", "ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub"],
        SLOW,
      );
      assert.ok(fingerprint.stdout.includes(key!.fingerprint), `${fingerprint.stdout} has ${key!.fingerprint}`);
      const human = await voxnix(env, [...alice, "ctl", "host-key", "lab"]);
      assert.match(human.stdout, /age recipient: ssh-ed25519 /);
      assert.match(key!.nativeAgeRecipient ?? "", /^age1[02-9ac-hj-np-z]{58}$/);
      assert.ok(human.stdout.includes(`age1 (X25519): ${key!.nativeAgeRecipient}`), human.stdout);
      assert.equal((await voxnix(env, [...bob, "ctl", "host-key", "lab"])).code, 3);
      assert.equal((await voxnix(env, [...bob, "ctl", "exec", "lab", "--", "true"])).code, 3);
      assert.deepEqual(
        result<{ workloads: unknown[] }>(await voxnix(env, [...bob, "--json", "ctl", "list"])).workloads,
        [],
      );
    },
  );

  step("ctl storage counts the root disk's allocation and shows its size", async () => {
    const report = result<{
      usage: { usedBytes: number };
      rootDisks: { workload: string; allocatedBytes: number; sizeBytes: number }[];
    }>(await voxnix(env, [...alice, "--json", "ctl", "storage"]));
    assert.equal(report.rootDisks.length, 1);
    const [disk] = report.rootDisks;
    assert.equal(disk!.workload, "lab");
    assert.equal(disk!.sizeBytes, 3 * 1024 ** 3);
    assert.ok(disk!.allocatedBytes > 0, "the overlay has allocated blocks after boot");
    assert.ok(report.usage.usedBytes >= disk!.allocatedBytes, "usage includes it");
    const human = await voxnix(env, [...alice, "ctl", "storage"]);
    assert.match(human.stdout, /VM ROOT DISK[\s\S]*lab\s+\S+\s+3G/);
  });

  step("a workspace file survives ctl stop and ctl start", async () => {
    const wrote = await voxnix(
      env,
      [...alice, "ctl", "exec", "lab", "--", "sh", "-c", "echo kept > /workspace/note && sync"],
      SLOW,
    );
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.equal((await voxnix(env, [...alice, "ctl", "stop", "lab"], SLOW)).code, 0);
    assert.equal(
      result<{ live: string }>(await voxnix(env, [...alice, "--json", "ctl", "show", "lab"])).live,
      "stopped",
    );
    const started = await voxnix(env, [...alice, "ctl", "start", "lab"], SLOW);
    assert.equal(started.code, 0, started.stderr);
    const read = await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "cat", "/workspace/note"], SLOW);
    assert.equal(read.stdout.trim(), "kept");
  });

  step(
    "ctl set changes the running VM's CPUs and memory: it asks first, restarts on --yes, the guest sees them, the workspace is kept",
    async () => {
      const asked = await voxnix(env, [...alice, "ctl", "set", "lab", "--cpu", "1", "--memory", "768M"]);
      assert.equal(asked.code, 4, `a restart needs confirmation: ${asked.stderr}${asked.stdout}`);
      assert.equal(
        (await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "nproc"], SLOW)).stdout.trim(),
        "2",
        "nothing changed yet",
      );
      assert.equal(
        (await voxnix(env, [...bob, "ctl", "set", "lab", "--cpu", "1", "--yes"])).code,
        3,
        "bob gets not found",
      );
      const changed = await voxnix(
        env,
        [...alice, "--json", "ctl", "set", "lab", "--cpu", "1", "--memory", "768M", "--yes"],
        SLOW,
      );
      const applied = result<{
        restarted: boolean;
        view: { live: string; spec: { resources: { cpus: number; memory: string } } };
      }>(changed);
      assert.equal(applied.restarted, true);
      assert.equal(applied.view.live, "running");
      assert.equal(applied.view.spec.resources.cpus, 1);
      assert.equal((await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "nproc"], SLOW)).stdout.trim(), "1");
      const meminfo = await voxnix(
        env,
        [...alice, "ctl", "exec", "lab", "--", "grep", "MemTotal", "/proc/meminfo"],
        SLOW,
      );
      const kib = Number(/MemTotal:\s+(\d+) kB/.exec(meminfo.stdout)?.[1]);
      // The kernel reserves some of it; 512M before, so anything above 600 MiB is the new size.
      assert.ok(kib > 600 * 1024 && kib <= 768 * 1024, `MemTotal ${kib} kB for a 768M VM`);
      assert.equal(
        (await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "cat", "/workspace/note"], SLOW)).stdout.trim(),
        "kept",
      );
    },
  );

  step("ctl destroy asks for confirmation; ctl confirm removes the VM and its folder", async () => {
    // Written to the root disk (not the workspace): it comes back only if the root disk is kept.
    const wrote = await voxnix(
      env,
      [...alice, "ctl", "exec", "lab", "--", "sh", "-c", "echo on-the-root-disk > /root/marker && sync"],
      SLOW,
    );
    assert.equal(wrote.code, 0, wrote.stderr);
    hostKeyBefore = result<{ keys: { key: string }[] }>(
      await voxnix(env, [...alice, "--json", "ctl", "host-key", "lab"]),
    ).keys[0]!.key;
    const asked = await voxnix(env, [...alice, "--json", "ctl", "destroy", "lab"]);
    assert.equal(asked.code, 4, asked.stderr);
    const token = (JSON.parse(asked.stdout) as { error: { token: string } }).error.token;
    assert.equal((await voxnix(env, [...bob, "ctl", "confirm", token])).code, 3, "bob cannot use alice's token");
    assert.equal(
      result<{ live: string }>(await voxnix(env, [...alice, "--json", "ctl", "show", "lab"])).live,
      "running",
    );
    const confirmed = await voxnix(env, [...alice, "ctl", "confirm", token], SLOW);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.deepEqual(
      result<{ workloads: unknown[] }>(await voxnix(env, [...alice, "--json", "ctl", "list"])).workloads,
      [],
    );
    assert.equal(existsSync(path.join(env.root, "state", "vm", "machines", "lab")), false, "no VM folder is left");
  });

  step(
    "the root disk is kept for undo: storage shows it, bob cannot restore it, ctl restore brings the VM back with its root disk, workspace and host key",
    async () => {
      const storage = result<{ snapshots: { workload: string; rootDiskBytes?: number }[] }>(
        await voxnix(env, [...alice, "--json", "ctl", "storage"]),
      );
      assert.equal(storage.snapshots.length, 1);
      assert.ok((storage.snapshots[0]!.rootDiskBytes ?? 0) > 0, "the kept root disk counts in the usage");
      const kept = path.join(env.root, "state", "vm", "kept");
      assert.equal(readdirSync(kept).length, 1, "one kept disk");
      assert.equal((await voxnix(env, [...bob, "ctl", "restore", "lab"])).code, 3, "bob cannot restore alice's VM");
      const restored = await voxnix(env, [...alice, "ctl", "restore", "lab"], SLOW);
      assert.equal(restored.code, 0, restored.stderr);
      assert.equal(
        (await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "cat", "/root/marker"], SLOW)).stdout.trim(),
        "on-the-root-disk",
      );
      assert.equal(
        (await voxnix(env, [...alice, "ctl", "exec", "lab", "--", "cat", "/workspace/note"], SLOW)).stdout.trim(),
        "kept",
      );
      assert.equal(
        result<{ keys: { key: string }[] }>(await voxnix(env, [...alice, "--json", "ctl", "host-key", "lab"])).keys[0]!
          .key,
        hostKeyBefore,
        "the same host key",
      );
      assert.deepEqual(readdirSync(kept), [], "the kept copy is discarded once the VM is back");
      const destroyed = await voxnix(env, [...alice, "--yes", "ctl", "destroy", "lab"], SLOW);
      assert.equal(destroyed.code, 0, destroyed.stderr);
      assert.equal(readdirSync(kept).length, 1, "the second destroy keeps the root disk again");
    },
  );
});
