/**
 * VMs through the core: a `kind: vm` create goes to the VM runtime of the registry, is
 * validated as a VM spec, counts against the same budgets, belongs to its owner and is
 * destroyed with the same plan and confirmation; without a VM runtime it is refused plainly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTestCore, TEST_USERS, actor } from "../../fakes/core-harness.js";
import { FAKE_HOST_KEY, FakeRuntime } from "../../fakes/fake-runtime.js";
import { ECDSA, ED25519_FINGERPRINT } from "../../fakes/fixture-ssh-keys.js";
import { destroyFully, rejection } from "./helpers.js";
import { createPlanOf } from "../../../src/api/outcome.js";

const alice = actor(TEST_USERS.alice);
const ED25519_KEEP = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYvKXGcG4a19tTT0Rycbn+D0r/YlKltLJ9dY2gR/Fjx";
const bob = actor(TEST_USERS.bob);

function withVms() {
  const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [] });
  return { vms, ...createTestCore({ extraRuntimes: [vms] }) };
}

void describe("VMs through the core", () => {
  void it("creates a VM on the VM runtime, records it as that runtime's, and lists it as a vm", async () => {
    const t = withVms();
    const view = await (await t.core.create(alice, { kind: "vm", name: "lab", cpus: 2, memory: "1G" })).wait();
    assert.equal(view.spec.kind, "vm");
    assert.equal(view.backend, "fake-vm");
    assert.deepEqual(view.spec.resources, { cpus: 2, memoryBytes: 1024 ** 3, pids: 0 });
    assert.ok(t.vms.containers.has("lab"), "the VM runtime made it");
    assert.equal(t.backend.containers.has("lab"), false, "the container runtime did not");
    const listed = await t.core.list(alice);
    assert.deepEqual(
      listed.workloads.map((workload) => [workload.name, workload.spec.kind, workload.live]),
      [["lab", "vm", "running"]],
    );
    // The same lifecycle verbs reach it through its recorded runtime.
    await t.core.stop(alice, "lab");
    assert.equal(t.vms.containers.get("lab")?.state, "stopped");
  });

  void it("is someone's own: another user gets not found, like for containers", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    assert.equal((await rejection(t.core.show(bob, "lab"))).kind, "not-found");
    assert.equal((await rejection(t.core.destroy(bob, "lab"))).kind, "not-found");
  });

  void it("counts against the CPU budget and refuses hostile sizes before any host call", async () => {
    const t = withVms();
    assert.equal((await rejection(t.core.create(alice, { kind: "vm", name: "big", cpus: 64 }))).kind, "invalid-input");
    assert.equal((await rejection(t.core.create(alice, { kind: "vm", name: "../etc" }))).kind, "invalid-input");
    assert.equal(t.vms.calls.filter((call) => call.method === "create").length, 0);
    await t.core.whoami(alice);
    await t.core.setUserLimits(actor(TEST_USERS.admin), TEST_USERS.alice, { cpuBudget: 3 });
    await (await t.core.create(alice, { kind: "vm", name: "one", cpus: 2 })).wait();
    assert.equal((await rejection(t.core.create(alice, { kind: "vm", name: "two", cpus: 2 }))).kind, "quota");
  });

  void it("destroys with the same plan and confirmation, and restores onto the VM runtime", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    const result = await destroyFully(t.core, alice, "lab");
    assert.ok(result.snapshot, "its workspace is kept for the undo window");
    assert.equal(t.vms.containers.has("lab"), false);
    const back = await (await t.core.restore(alice, "lab")).wait();
    assert.equal(back.backend, "fake-vm");
    assert.ok(t.vms.containers.has("lab"));
  });

  void it("without a VM runtime, a VM request is refused plainly and nothing runs", async () => {
    const t = createTestCore();
    const refused = await rejection(t.core.create(alice, { kind: "vm", name: "lab" }));
    assert.equal(refused.kind, "invalid-input");
    assert.match(refused.message, /runs no VMs/);
    assert.equal(t.backend.calls.filter((call) => call.method === "create").length, 0);
  });
});

const admin = actor(TEST_USERS.admin);
const GiB = 1024 ** 3;

void describe("VMs as a user's default kind", () => {
  void it("an admin makes VMs alice's default: a create that names no kind becomes a VM, a named container stays a container", async () => {
    const t = withVms();
    await t.core.whoami(alice);
    const view = await t.core.setUserLimits(admin, TEST_USERS.alice, { defaultKind: "vm" });
    assert.equal(view.limits.defaultKind, "vm");
    const lab = await (await t.core.create(alice, { name: "lab", resources: { cpus: 2, memory: "1G" } })).wait();
    assert.equal(lab.spec.kind, "vm");
    assert.equal(lab.backend, "fake-vm");
    assert.deepEqual(lab.spec.resources, { cpus: 2, memoryBytes: GiB, pids: 0 });
    const box = await (await t.core.create(alice, { kind: "container", name: "box" })).wait();
    assert.equal(box.spec.kind, "container");
    // bob keeps containers.
    const bobs = await (await t.core.create(bob, { name: "web" })).wait();
    assert.equal(bobs.spec.kind, "container");
  });

  void it("modules in a request that became a VM are refused with a way out, and nothing is created", async () => {
    const t = withVms();
    await t.core.whoami(alice);
    await t.core.setUserLimits(admin, TEST_USERS.alice, { defaultKind: "vm" });
    const refused = await rejection(t.core.create(alice, { name: "dev", modules: ["git"] }));
    assert.equal(refused.kind, "invalid-input");
    assert.match(JSON.stringify(refused), /VMs take no modules yet[^"]*ask for a container explicitly/);
    assert.equal(
      t.vms.calls.filter((call) => call.method === "create").length +
        t.backend.calls.filter((call) => call.method === "create").length,
      0,
    );
  });

  void it("VM-only refuses containers, even named ones, and turns unnamed requests into VMs", async () => {
    const t = withVms();
    await t.core.whoami(alice);
    await t.core.setUserLimits(admin, TEST_USERS.alice, { vmOnly: true });
    const refused = await rejection(t.core.create(alice, { kind: "container", name: "box" }));
    assert.equal(refused.kind, "invalid-input");
    assert.match(JSON.stringify(refused), /VMs only/);
    assert.equal(
      createPlanOf(await t.core.plan(alice, { operation: "create", input: { name: "lab" } })).spec.kind,
      "vm",
    );
    assert.equal((await (await t.core.create(alice, { name: "lab" })).wait()).spec.kind, "vm");
    // Turned off again: containers are back.
    const view = await t.core.setUserLimits(admin, TEST_USERS.alice, { vmOnly: false, defaultKind: "container" });
    assert.equal(view.limits.vmOnly, undefined);
    assert.equal(view.limits.defaultKind, undefined);
    assert.equal((await (await t.core.create(alice, { name: "box" })).wait()).spec.kind, "container");
  });

  void it("only an admin sets it, and not without a VM runtime", async () => {
    const t = createTestCore();
    await t.core.whoami(alice);
    assert.equal(
      (await rejection(t.core.setUserLimits(alice, TEST_USERS.alice, { defaultKind: "vm" }))).kind,
      "forbidden",
    );
    const refused = await rejection(t.core.setUserLimits(admin, TEST_USERS.alice, { vmOnly: true }));
    assert.equal(refused.kind, "invalid-input");
    assert.match(refused.message, /runs no VMs/);
    assert.equal(
      (await rejection(t.core.setUserLimits(admin, TEST_USERS.alice, { defaultKind: "kvm" as never }))).kind,
      "invalid-input",
    );
    assert.equal((await t.core.whoami(alice)).limits.defaultKind, undefined);
  });
});

void describe("VM disks in the storage quota", () => {
  void it("a VM's declared root disk and workspace must fit in what is left of the quota: a clear error, nothing created", async () => {
    const t = withVms();
    await t.core.whoami(alice);
    await t.core.setUserLimits(admin, TEST_USERS.alice, { diskQuota: "8G" });
    const refused = await rejection(t.core.create(alice, { kind: "vm", name: "big", disk: "8G" }));
    assert.equal(refused.kind, "quota");
    assert.match(refused.message, /needs 9G [\s\S]*only 8G of your 8G are left[\s\S]*Nothing was created/);
    assert.equal(
      (await rejection(t.core.plan(alice, { operation: "create", input: { kind: "vm", name: "big", disk: "8G" } })))
        .kind,
      "quota",
    );
    assert.equal(t.vms.calls.filter((call) => call.method === "create").length, 0);
    assert.deepEqual((await t.core.list(alice)).workloads, []);
    // 4 GiB root + 1 GiB workspace fits; a second one does not, because the first root disk is held at its size.
    await (await t.core.create(alice, { kind: "vm", name: "one", disk: "4G" })).wait();
    const second = await rejection(t.core.create(alice, { kind: "vm", name: "two", disk: "4G" }));
    assert.equal(second.kind, "quota");
    assert.match(second.message, /4G of it held by the root disks of your other VMs/);
  });

  void it("storage shows each VM root disk's allocation and counts it as used", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab", disk: "2G" })).wait();
    const before = await t.core.storage(alice);
    t.vms.rootDisks.set("lab", 300 * 1024 ** 2);
    const report = await t.core.storage(alice);
    assert.deepEqual(report.rootDisks, [{ workload: "lab", allocatedBytes: 300 * 1024 ** 2, sizeBytes: 2 * GiB }]);
    assert.equal(report.usage.usedBytes, before.usage.usedBytes + 300 * 1024 ** 2);
    assert.equal(
      report.usage.availableBytes,
      10 * GiB - 2 * GiB - (before.usage.usedBytes - 0),
      "what is left excludes the root disk's declared size",
    );
    assert.deepEqual((await t.core.storage(bob)).rootDisks, [], "bob sees none of alice's disks");
  });
});

void describe("VM root disks in snapshots and undo", () => {
  function withKeepingVms() {
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [], keepsRootDisks: true });
    return { vms, ...createTestCore({ extraRuntimes: [vms] }) };
  }

  void it("destroy keeps the root disk under the snapshot, restore brings it back (and its host key), then the kept copy is discarded", async () => {
    const t = withKeepingVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab", disk: "2G" })).wait();
    t.vms.rootDisks.set("lab", 300 * 1024 ** 2);
    t.vms.hostKeyLines.set("lab", [ED25519_KEEP]);
    const destroyed = await destroyFully(t.core, alice, "lab");
    const kept = [...t.vms.keptRootDisks.entries()];
    assert.equal(kept.length, 1);
    const [ref, disk] = kept[0]!;
    assert.deepEqual(disk, { workload: "lab", bytes: 300 * 1024 ** 2, hostKeys: [ED25519_KEEP] });
    assert.equal(destroyed.snapshot?.id, ref, "the disk is kept under the snapshot's id");
    assert.equal(destroyed.snapshot?.rootDiskBytes, 300 * 1024 ** 2);
    const storage = await t.core.storage(alice);
    assert.equal(storage.snapshots[0]?.rootDiskBytes, 300 * 1024 ** 2, "storage shows the kept root disk");
    const plan = await t.core.plan(alice, { operation: "restore", name: "lab" });
    assert.ok(JSON.stringify(plan).includes("root disk"), "the restore plan says the root disk comes back");
    await (await t.core.restore(alice, "lab")).wait();
    const create = t.vms.calls.filter((call) => call.method === "create").at(-1)!;
    assert.equal(
      (create.args[1] as { rootDiskRef?: string }).rootDiskRef,
      ref,
      "the create of the restore names the kept disk",
    );
    assert.equal(t.vms.rootDisks.get("lab"), 300 * 1024 ** 2);
    assert.deepEqual(
      (await t.core.hostKey(alice, "lab")).keys.map((key) => key.key),
      [ED25519_KEEP],
      "the same host key: secrets keyed to it still open",
    );
    assert.equal(t.vms.keptRootDisks.size, 0, "the kept copy is discarded after the restore");
  });

  void it("a kept root disk counts in the owner's quota until its undo window passes, then it is pruned", async () => {
    const t = withKeepingVms();
    await t.core.whoami(alice);
    await t.core.setUserLimits(admin, TEST_USERS.alice, { diskQuota: "8G" });
    await (await t.core.create(alice, { kind: "vm", name: "lab", disk: "4G" })).wait();
    t.vms.rootDisks.set("lab", 2.5 * GiB);
    await destroyFully(t.core, alice, "lab");
    // 8G quota - 2.5G kept: a 4G root + 1G workspace VM under another name fits...
    await (await t.core.create(alice, { kind: "vm", name: "two", disk: "4G" })).wait();
    t.vms.rootDisks.set("two", 1 * GiB);
    await destroyFully(t.core, alice, "two");
    // ...but with 3.5G kept, a third one does not.
    const refused = await rejection(t.core.create(alice, { kind: "vm", name: "three", disk: "4G" }));
    assert.equal(refused.kind, "quota");
    assert.match(refused.message, /including destroyed ones kept for undo/);
    t.clock.advance(25 * 3_600_000);
    // Past the undo window the kept disks no longer count, and pruning deletes them.
    await (await t.core.create(alice, { kind: "vm", name: "three", disk: "4G" })).wait();
    assert.equal((await t.core.reconcile(admin)).prunedSnapshots, 2);
    assert.equal(t.vms.keptRootDisks.size, 0, "expired kept disks were discarded");
    assert.ok(t.vms.calls.some((call) => call.method === "discardRootDisk"));
  });

  void it("a failed discard at prune time keeps the snapshot for a retry", async () => {
    const t = withKeepingVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    await destroyFully(t.core, alice, "lab");
    t.clock.advance(25 * 3_600_000);
    t.vms.failNext("discardRootDisk", new Error("disk busy"));
    const first = await t.core.reconcile(admin);
    assert.equal(first.prunedSnapshots, 0);
    assert.equal(t.vms.keptRootDisks.size, 1);
    const second = await t.core.reconcile(admin);
    assert.equal(second.prunedSnapshots, 1);
    assert.equal(t.vms.keptRootDisks.size, 0);
  });

  void it("a runtime that keeps no root disks is not asked to (containers, other VM runtimes)", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    const destroyed = await destroyFully(t.core, alice, "lab");
    assert.equal(destroyed.snapshot?.rootDiskBytes, undefined);
    const destroy = t.vms.calls.find((call) => call.method === "destroy")!;
    assert.deepEqual(destroy.args, ["lab"]);
  });
});

void describe("VM host keys", () => {
  void it("the owner gets the pinned host key, its fingerprint and its age recipient; others get not found", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    const report = await t.core.hostKey(alice, "lab");
    assert.equal(report.workload, "lab");
    const [view] = report.keys;
    assert.deepEqual(
      { ...view, nativeAgeRecipient: undefined },
      {
        key: FAKE_HOST_KEY,
        algorithm: "ssh-ed25519",
        fingerprint: ED25519_FINGERPRINT,
        ageRecipient: FAKE_HOST_KEY,
        nativeAgeRecipient: undefined,
      },
    );
    assert.match(
      view!.nativeAgeRecipient ?? "",
      /^age1[02-9ac-hj-np-z]{58}$/,
      "an ssh-ed25519 key also has its native age1 form",
    );
    assert.equal((await rejection(t.core.hostKey(bob, "lab"))).kind, "not-found");
    assert.equal((await rejection(t.core.hostKey(alice, "../lab"))).kind, "invalid-input");
  });

  void it("the native age1 recipient is the one ssh-to-age derives (its published test vector)", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    t.vms.hostKeyLines.set("lab", [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYvKXGcG4a19tTT0Rycbn+D0r/YlKltLJ9dY2gR/Fjx root@lab",
    ]);
    const [view] = (await t.core.hostKey(alice, "lab")).keys;
    assert.equal(view?.nativeAgeRecipient, "age18s8m9hvlrwvltgys4lafyyqe356ntc7e06t4kd2nccqm5amsaa2s878mju");
  });

  void it("a key type age cannot encrypt to has no age recipient, and a corrupt recorded key is a host failure", async () => {
    const t = withVms();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    t.vms.hostKeyLines.set("lab", [ECDSA]);
    const report = await t.core.hostKey(alice, "lab");
    assert.equal(report.keys[0]?.algorithm, "ecdsa-sha2-nistp256");
    assert.equal(report.keys[0]?.ageRecipient, undefined);
    assert.equal(report.keys[0]?.nativeAgeRecipient, undefined);
    t.vms.hostKeyLines.set("lab", ["ssh-ed25519 AAAA\nroot@evil"]);
    assert.equal((await rejection(t.core.hostKey(alice, "lab"))).kind, "host-failure");
  });
});
