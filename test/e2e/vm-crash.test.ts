/**
 * Crash safety of a VM create on the real host: the built CLI's `ctl create NAME --vm` is
 * killed with SIGKILL at two points (once the root overlay exists; once QEMU runs, before the
 * guest booted), then `ctl reconcile` runs. Each time, nothing is left: no QEMU process, no
 * VM folder (overlay, seed, keys, pidfile, control socket), no workspace disk, no address
 * lease, no workload row or running job, and the owner's quota usage is what it was before
 * (within a minute: btrfs frees a deleted subvolume's last blocks in the background; the
 * owner's empty area, made by their first create, stays and holds 16 KiB). The second kill
 * must leave usage exactly where the first one's reconcile left it. Needs root, the nspawn tools (the harness), and qemu; skipped otherwise. The
 * base image comes from `VOXNIX_TEST_CACHE` (built there when missing).
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import Database from "better-sqlite3";
import { createE2eEnv, e2eUnavailable, startVoxnix, storySteps, voxnix, waitUntil, type E2eEnv } from "./harness.js";
import { VM_IMAGE_DIR, VM_PACKAGE_CACHE, ensureVmImage } from "./vm-image.js";

const ALICE = ["--as", "local:alice"];
const SLOW = { timeoutMs: 10 * 60_000 };
const NAME = "crash";
/** What an empty btrfs subvolume holds: one 16 KiB tree block. */
const EMPTY_AREA_BYTES = 16_384;

function unavailable(): string | undefined {
  const e2e = e2eUnavailable();
  if (e2e) return e2e;
  for (const tool of ["/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-img", "/usr/bin/ssh", "/usr/sbin/mkfs.ext4"]) {
    if (!existsSync(tool)) return `${tool} is missing`;
  }
  return undefined;
}

/** Pids of QEMU processes whose command line names a file under `root` (this test's VMs only). */
function qemuProcesses(root: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      if (argv[0]?.includes("qemu-system") && argv.some((arg) => arg.includes(root))) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** Files under `dir` (recursively) whose name is `name`; a missing dir has none. */
function filesNamed(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.isSymbolicLink()) found.push(...filesNamed(full, name));
    else if (entry.name === name) found.push(full);
  }
  return found;
}

describe("a VM create killed with SIGKILL, then reconcile", { skip: unavailable(), timeout: 30 * 60_000 }, () => {
  const { step, failed } = storySteps();
  let env: E2eEnv;
  let usedBefore = -1;
  const machine = () => path.join(env.root, "state", "vm", "machines", NAME);

  const usedBytes = async (): Promise<number> => {
    const report = await voxnix(env, [...ALICE, "--json", "ctl", "storage"]);
    assert.equal(report.code, 0, report.stderr);
    return (JSON.parse(report.stdout) as { result: { usage: { usedBytes: number } } }).result.usage.usedBytes;
  };

  /** Starts the create, waits for `reached`, kills the CLI with SIGKILL, and checks the kill left something. */
  const killCreateWhen = async (reached: () => boolean, what: string): Promise<void> => {
    const child = startVoxnix(env, [
      ...ALICE,
      "ctl",
      "create",
      NAME,
      "--vm",
      "--cpu",
      "1",
      "--memory",
      "512M",
      "--disk",
      "3G",
      "--workspace-size",
      "128M",
    ]);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    assert.ok(await waitUntil(reached, 5 * 60_000), `the create never got ${what}: ${output}`);
    child.kill("SIGKILL");
    await exited;
    assert.ok(existsSync(machine()), `the kill ${what} left the VM folder behind (the test is meaningful)`);
  };

  /** Reconciles with the built CLI and asserts nothing of the VM is left anywhere. */
  const reconcileLeavesNothing = async (): Promise<void> => {
    const reconciled = await voxnix(env, ["ctl", "reconcile"], SLOW);
    assert.equal(reconciled.code, 0, reconciled.stdout + reconciled.stderr);
    assert.deepEqual(qemuProcesses(env.root), [], "no QEMU process is left");
    assert.equal(existsSync(machine()), false, "no VM folder (overlay, seed, keys, pidfile, socket) is left");
    assert.deepEqual(filesNamed(path.join(env.root, "state"), "vm-workspace.img"), [], "no workspace disk is left");
    assert.deepEqual(filesNamed(path.join(env.root, "state"), "root.qcow2"), [], "no overlay is left anywhere");
    const db = new Database(path.join(env.root, "state", "voxnix.db"), { readonly: true });
    try {
      assert.deepEqual(db.prepare("SELECT name FROM workloads").all(), [], "no workload row is left");
      assert.deepEqual(db.prepare("SELECT workload FROM address_leases").all(), [], "no address lease is left");
      const running = db.prepare("SELECT id, state FROM jobs WHERE state = 'running'").all();
      assert.deepEqual(running, [], "no job is still marked running");
    } finally {
      db.close();
    }
    const listed = await voxnix(env, [...ALICE, "--json", "ctl", "list"]);
    assert.deepEqual((JSON.parse(listed.stdout) as { result: { workloads: unknown[] } }).result.workloads, []);
    // btrfs frees a deleted subvolume's last blocks in its background cleaner, so the owner's
    // qgroup can read a few KiB high for a moment after the reconcile; it must come back.
    // The owner's own area (the folder their workspaces live in) is made by their first create
    // and stays, like a home directory; empty, it holds one btrfs tree block.
    const expected = usedBefore === 0 ? [0, EMPTY_AREA_BYTES] : [usedBefore];
    const deadline = Date.now() + 60_000;
    let used = await usedBytes();
    while (!expected.includes(used) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      used = await usedBytes();
    }
    assert.ok(
      expected.includes(used),
      `the quota usage is back where it was (${used} bytes used, expected one of ${expected.join(", ")})`,
    );
    usedBefore = used;
  };

  before(async () => {
    env = await createE2eEnv({
      diskQuota: "8G",
      extraConfig: {
        vm: {
          runtime: "qemu",
          imageDir: VM_IMAGE_DIR,
          packageCache: VM_PACKAGE_CACHE,
          bootTimeoutSeconds: 600,
          stopTimeoutSeconds: 30,
        },
      },
    });
  });

  after(async () => {
    // A QEMU a failed step left behind is this test's own (its files are under env.root).
    if (!(failed() && process.env.VOXNIX_INSPECT === "1"))
      for (const pid of qemuProcesses(env?.root ?? "/nonexistent")) process.kill(pid, "SIGKILL");
    await env?.cleanup(failed());
  });

  step("the VM base image is there (built once, cached)", () => ensureVmImage(env));

  step("the owner's usage before any create", async () => {
    usedBefore = await usedBytes();
  });

  step("killed once the root overlay exists: reconcile leaves nothing", async () => {
    await killCreateWhen(() => existsSync(path.join(machine(), "root.qcow2")), "as far as the overlay");
    await reconcileLeavesNothing();
  });

  step("killed once QEMU runs, before the guest booted: reconcile stops it and leaves nothing", async () => {
    await killCreateWhen(
      () => existsSync(path.join(machine(), "qemu.pid")) && qemuProcesses(env.root).length > 0,
      "as far as a running QEMU",
    );
    assert.ok(qemuProcesses(env.root).length > 0, "QEMU outlived the killed CLI (detached)");
    await reconcileLeavesNothing();
  });
});
