/**
 * The VMID ledger against a cluster that races: `nextid` answers "free" to everyone at once,
 * another tool grabs IDs right after they were reported free, a foreign VM already sits inside
 * voxnix's range, and deleted IDs are reported free again. Concurrent creates must each get
 * their own VMID, never one in use elsewhere, never a deleted one, and leave no orphan.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError, HostFailureError } from "../../../src/domain/errors.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import { createAndShow, createProxmoxHarness, fakeGuests, vmSpec } from "./harness.js";

void describe("proxmox VMID ledger", () => {
  void it("20 concurrent creates against a racing cluster: distinct IDs in range, no collision, no orphan", async () => {
    const h = await createProxmoxHarness({ fake: { taskDurationMs: 15, agentDelayMs: 5 } });
    try {
      h.fake.addForeignVm({ vmid: 10_002, node: "pve2", name: "someone-elses" });
      // Three IDs are taken by another tool right after nextid called them free.
      h.fake.raceForeignCreator(3);
      // Two clones lose their VMID to another clone between Proxmox's early check and the worker's lock.
      h.fake.raceCloneWorker(2);
      const names = Array.from({ length: 20 }, (_, index) => `vm${index}`);
      const results = await Promise.all(
        names.map((name) => createAndShow(h, vmSpec(name, { memoryBytes: 512 * 1024 ** 2 }))),
      );

      const vmids = results.map((result) => Number(result.facts.vmid));
      assert.equal(new Set(vmids).size, 20, "every create got its own VMID");
      assert.ok(vmids.every((vmid) => vmid >= 10_000 && vmid <= 10_099));
      const foreign = fakeGuests(h.fake).filter(
        (vm) => /^(foreign|raced)-/.test(vm.name) || vm.name === "someone-elses",
      );
      assert.equal(foreign.length, 6);
      for (const vm of foreign) assert.ok(!vmids.includes(vm.vmid), `foreign VM ${vm.vmid} untouched and not reused`);
      for (const [index, vmid] of vmids.entries())
        assert.equal(h.fake.vms.get(vmid)?.name, names[index], "each VMID holds the VM it was made for");
      assert.equal(fakeGuests(h.fake).length, 26, "20 managed + 6 foreign, no orphan");

      const taken = h.ledger
        .all()
        .filter((record) => record.state === "taken")
        .map((record) => record.vmid)
        .sort();
      assert.deepEqual(taken, foreign.map((vm) => vm.vmid).sort(), "every foreign ID met is recorded as taken");
      assert.equal(h.ledger.all().filter((record) => record.state === "active").length, 20);
    } finally {
      await h.close();
    }
  });

  void it("a deleted VMID is never reused, although Proxmox reports it free", async () => {
    const h = await createProxmoxHarness();
    try {
      const host = { ownerLabel: "local:admin", onProgress: () => undefined };
      await h.runtime.create(vmSpec("lab"), host);
      await h.runtime.destroy("lab" as WorkloadName, host);
      assert.equal(h.fake.vms.has(10_000), false);
      const again = await createAndShow(h, vmSpec("lab"));
      assert.equal(again.facts.vmid, "10001");
      assert.deepEqual(
        h.ledger.all().map((record) => [record.vmid, record.state]),
        [
          [10_000, "released"],
          [10_001, "active"],
        ],
      );
    } finally {
      await h.close();
    }
  });

  void it("a used-up range is refused with what to change", async () => {
    const h = await createProxmoxHarness({ proxmox: { vmidRange: { first: 10_000, last: 10_001 } } });
    try {
      h.fake.addForeignVm({ vmid: 10_001, node: "pve1", name: "squatter" });
      const host = { ownerLabel: "local:admin", onProgress: () => undefined };
      await h.runtime.create(vmSpec("one"), host);
      const error = await h.runtime.create(vmSpec("two"), host).catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /every VMID in its range \(10000–10001\).*proxmox\.vmidRange/);
      assert.equal((await h.runtime.doctor()).find((check) => check.name === "proxmox VMID range")?.ok, false);
    } finally {
      await h.close();
    }
  });

  void it("two clones racing to one VMID: the second task fails with 'already exists' and voxnix moves on", async () => {
    const h = await createProxmoxHarness();
    try {
      // Another clone to 10000 gets its worker's lock first, after voxnix's clone passed the early check.
      h.fake.raceCloneWorker(1);
      const result = await createAndShow(h, vmSpec("lab"));
      assert.equal(result.facts.vmid, "10001");
      const failed = [...h.fake.tasks.values()].find((task) => task.type === "qmclone" && task.exitstatus !== "OK");
      assert.match(failed?.exitstatus ?? "", /unable to create VM 10000: config file already exists/);
      assert.equal(h.fake.vms.get(10_000)?.name, "raced-10000", "the other clone's VM is untouched");
      assert.equal(h.ledger.get(10_000)?.state, "taken");
    } finally {
      await h.close();
    }
  });

  void it("two creates of one name at once: one VM, the other refused as a conflict", async () => {
    const h = await createProxmoxHarness();
    try {
      const host = { ownerLabel: "local:admin", onProgress: () => undefined };
      const results = await Promise.allSettled([
        h.runtime.create(vmSpec("lab"), host),
        h.runtime.create(vmSpec("lab"), host),
      ]);
      assert.deepEqual(results.map((result) => result.status).sort(), ["fulfilled", "rejected"]);
      const rejected = results.find((result) => result.status === "rejected");
      assert.ok(rejected?.reason instanceof ConflictError, String(rejected?.reason));
      assert.equal(fakeGuests(h.fake).length, 1);
      assert.deepEqual(
        h.ledger.all().map((record) => [record.vmid, record.state]),
        [[10_000, "active"]],
      );
    } finally {
      await h.close();
    }
  });
});
