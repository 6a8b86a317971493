/**
 * VMs through the core: a `kind: vm` create goes to the VM runtime of the registry, is
 * validated as a VM spec, counts against the same budgets, belongs to its owner and is
 * destroyed with the same plan and confirmation; without a VM runtime it is refused plainly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTestCore, TEST_USERS, actor } from "../../fakes/core-harness.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";
import { destroyFully, rejection } from "./helpers.js";

const alice = actor(TEST_USERS.alice);
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
    assert.deepEqual(listed.workloads.map((workload) => [workload.name, workload.spec.kind, workload.live]), [["lab", "vm", "running"]]);
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
