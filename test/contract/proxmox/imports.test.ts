/**
 * Imported VMs (in the cluster, not created by voxnix) are listed as imported and are never
 * changed: every mutating call is refused before any request that would change them, unless
 * the admin allowed start and stop for that VMID; destroy is refused regardless. A VMID voxnix
 * once recorded but that now holds someone else's VM is treated the same way.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConflictError } from "../../../src/domain/errors.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import { createProxmoxHarness, vmSpec } from "./harness.js";

const legacy = "legacy" as WorkloadName;
const mutating = (request: { method: string }) => request.method !== "GET";

void describe("proxmox imported VMs", () => {
  void it("are listed as imported and shown, but never started, stopped, restarted or destroyed", async () => {
    const h = await createProxmoxHarness();
    try {
      h.fake.addForeignVm({ vmid: 120, node: "pve2", name: "legacy", status: "running" });
      const listed = await h.runtime.list();
      assert.deepEqual(
        listed.map((vm) => [vm.name, vm.vmid, vm.node, vm.management]),
        [["legacy", 120, "pve2", "imported"]],
      );
      const shown = await h.runtime.show(legacy);
      assert.equal(shown?.management, "imported");

      const progress = { onProgress: h.onProgress };
      for (const [operation, call] of [
        ["start", () => h.runtime.start(legacy, progress)],
        ["stop", () => h.runtime.stop(legacy, progress)],
        ["restart", () => h.runtime.restart(legacy, progress)],
        ["destroy", () => h.runtime.destroy(legacy, progress)],
      ] as const) {
        const error = await call().catch((caught: unknown) => caught);
        assert.ok(error instanceof ConflictError, `${operation} refused`);
        assert.match(
          error.message,
          new RegExp(
            `"legacy" \\(VMID 120\\) was not created by voxnix: it is imported and read-only, so voxnix will not ${operation} it`,
          ),
        );
      }
      assert.deepEqual(h.fake.requests.filter(mutating), [], "no changing request was sent");
      assert.equal(h.fake.vms.get(120)?.status, "running");
      // A create under the same name is a new, managed VM; the imported one stays as it is.
      await h.runtime.create(vmSpec("legacy"), { ownerLabel: "local:admin", onProgress: h.onProgress });
      assert.equal(h.fake.vms.get(120)?.name, "legacy");
      assert.equal(h.fake.vms.get(120)?.status, "running");
    } finally {
      await h.close();
    }
  });

  void it("can be started and stopped when proxmox.imports allows it, never destroyed", async () => {
    const h = await createProxmoxHarness({ proxmox: { imports: [{ vmid: 120, allowPowerControl: true }] } });
    try {
      h.fake.addForeignVm({ vmid: 120, node: "pve2", name: "legacy", status: "running" });
      await h.runtime.stop(legacy, { onProgress: h.onProgress });
      assert.equal(h.fake.vms.get(120)?.status, "stopped");
      await h.runtime.start(legacy, { onProgress: h.onProgress });
      assert.equal(h.fake.vms.get(120)?.status, "running");
      const error = await h.runtime.destroy(legacy, { onProgress: h.onProgress }).catch((caught: unknown) => caught);
      assert.ok(error instanceof ConflictError);
      assert.ok(h.fake.vms.has(120));
      assert.ok(!h.fake.requests.some((request) => request.method === "DELETE"));
    } finally {
      await h.close();
    }
  });

  void it("a recorded VMID that now holds someone else's VM is not touched", async () => {
    const h = await createProxmoxHarness();
    try {
      await h.runtime.create(vmSpec("lab"), { ownerLabel: "local:admin", onProgress: h.onProgress });
      // Someone deletes voxnix's VM by hand and creates their own under the same VMID.
      h.fake.vms.delete(10_000);
      h.fake.addForeignVm({ vmid: 10_000, node: "pve1", name: "lab", status: "running" });
      const before = h.fake.requests.filter(mutating).length;
      const error = await h.runtime
        .destroy("lab" as WorkloadName, { onProgress: h.onProgress })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ConflictError, String(error));
      assert.equal(h.fake.requests.filter(mutating).length, before);
      assert.equal((await h.runtime.list()).find((vm) => vm.vmid === 10_000)?.management, "imported");
    } finally {
      await h.close();
    }
  });
});
