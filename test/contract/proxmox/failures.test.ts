/**
 * How the Proxmox runtime fails: a failed task's log tail becomes the error detail and the
 * half-made VM is rolled back; a hung task is stopped and reported as a timeout; a refused
 * token (401), a missing permission (403) and a 500 are classified; an offline node is skipped
 * and a cluster with no usable node is refused with the reasons; a storage without linked
 * clones falls back to a full clone.
 */
import assert from "node:assert/strict";
import { writeFileSync, chmodSync } from "node:fs";
import { describe, it } from "node:test";
import { HostFailureError, TimeoutError, VoxnixError } from "../../../src/domain/errors.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import { createProxmoxHarness, fakeGuests, vmSpec, type ProxmoxHarness } from "./harness.js";

const host = (h: ProxmoxHarness) => ({ ownerLabel: "telegram:42", onProgress: h.onProgress });

void describe("proxmox runtime failures", () => {
  void it("a failed task's log tail is the error detail, and the half-made VM is removed", async () => {
    const h = await createProxmoxHarness();
    try {
      h.fake.failNextTask("qmstart", "start failed: QEMU exited with code 1", [
        "kvm: -device vfio-pci: no IOMMU found",
        "kvm: failed to start",
      ]);
      const error = await h.runtime.create(vmSpec("lab"), host(h)).then(
        () => assert.fail("create should fail"),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /start failed: QEMU exited with code 1/);
      assert.match(error.detail ?? "", /no IOMMU found/);
      assert.match(error.detail ?? "", /TASK ERROR: start failed/);
      assert.deepEqual(fakeGuests(h.fake), [], "rolled back");
      assert.equal(h.ledger.get(10_000)?.state, "released");
      assert.equal(h.ledger.findLive("lab"), undefined);
    } finally {
      await h.close();
    }
  });

  void it("a task that hangs is stopped and reported as a timeout; nothing is left", async () => {
    const h = await createProxmoxHarness({ proxmox: { taskTimeoutSeconds: 0.3 } });
    try {
      h.fake.hangingTaskTypes.add("qmclone");
      const error = await h.runtime.create(vmSpec("lab"), host(h)).catch((caught: unknown) => caught);
      assert.ok(error instanceof TimeoutError, String(error));
      assert.match(error.message, /did not clone the template/);
      const clone = [...h.fake.tasks.values()].find((task) => task.type === "qmclone")!;
      assert.equal(clone.exitstatus, "interrupted by signal", "the task was asked to stop");
      assert.deepEqual(fakeGuests(h.fake), []);
      assert.equal(h.ledger.get(10_000)?.state, "released");
    } finally {
      await h.close();
    }
  });

  void it("a wrong token is a 401 with a clear message; the secret file is re-read once", async () => {
    const h = await createProxmoxHarness();
    try {
      chmodSync(h.secretFile, 0o600);
      writeFileSync(h.secretFile, "00000000-1111-2222-3333-444444444444\n");
      const error = await h.runtime.list().catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /refused voxnix's token \(HTTP 401\).*voxnix@pve!voxnix.*proxmox\.tokenSecretFile/);
      assert.equal(
        h.fake.requests.filter((request) => !request.authenticated).length,
        2,
        "one retry after re-reading the file",
      );
      const checks = await h.runtime.doctor();
      assert.equal(checks.find((check) => check.name === "proxmox token")?.ok, false);
      assert.equal(checks.find((check) => check.name === "proxmox API reachable")?.ok, true);
      // Rotating the secret into the file is picked up without a restart.
      writeFileSync(h.secretFile, h.fake.tokenSecret);
      assert.deepEqual(await h.runtime.list(), []);
    } finally {
      await h.close();
    }
  });

  void it("a missing permission (403) and a server error (500) are host failures naming Proxmox's reason", async () => {
    const h = await createProxmoxHarness();
    try {
      h.fake.forbidden.push(/\/clone$/);
      const forbidden = await h.runtime.create(vmSpec("lab"), host(h)).catch((caught: unknown) => caught);
      assert.ok(forbidden instanceof HostFailureError);
      assert.match(forbidden.message, /Permission check failed .*docs\/proxmox\.md/);
      assert.equal(h.ledger.get(10_000)?.state, "released");
      h.fake.forbidden.length = 0;
      h.fake.failNextRequest(/^\/cluster\/resources$/, 500, "cluster not ready - no quorum?");
      const quorum = await h.runtime.list().catch((caught: unknown) => caught);
      assert.ok(quorum instanceof HostFailureError);
      assert.match(quorum.message, /no quorum/);
    } finally {
      await h.close();
    }
  });

  void it("an offline node is skipped; with no usable node the create is refused with each reason", async () => {
    const h = await createProxmoxHarness({
      fake: { nodes: { pve1: { mem: 60 * 1024 ** 3 }, pve2: {}, pve3: {} } },
      proxmox: { nodes: ["pve1", "pve2"] },
    });
    try {
      // pve2 has the most free memory but is offline; pve3 is not allowed; pve1 is left.
      h.fake.setNodeStatus("pve2", "offline");
      await h.runtime.create(vmSpec("lab", { memoryBytes: 1024 ** 3 }), host(h));
      assert.equal(h.fake.vms.get(10_000)?.node, "pve1");
      h.fake.addForeignVm({ vmid: 500, node: "pve2", name: "far" });
      const listed = await h.runtime.list();
      assert.equal(listed.find((vm) => vm.vmid === 500)?.state, "unknown", "guests of an offline node are unknown");

      const error = await h.runtime
        .create(vmSpec("big", { memoryBytes: 8 * 1024 ** 3 }), host(h))
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /No Proxmox node can take a VM with 8G/);
      assert.match(error.detail ?? "", /pve1: 4G free, needs 8G/);
      assert.match(error.detail ?? "", /pve2: offline/);
      assert.match(error.detail ?? "", /pve3: not in proxmox.nodes/);
    } finally {
      await h.close();
    }
  });

  void it("calls to an offline node answer 595 and are host failures", async () => {
    const h = await createProxmoxHarness();
    try {
      await h.runtime.create(vmSpec("lab"), host(h));
      h.fake.setNodeStatus("pve1", "offline");
      const error = await h.runtime
        .stop("lab" as WorkloadName, { onProgress: h.onProgress })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /node could not be reached \(No route to host\)/);
    } finally {
      await h.close();
    }
  });

  void it("cloneMode auto: a storage without linked clones gets a full clone", async () => {
    const h = await createProxmoxHarness();
    try {
      h.fake.linkedCloneSupported = false;
      await h.runtime.create(vmSpec("lab"), host(h));
      const clones = h.fake.requests
        .filter((request) => request.path.endsWith("/clone"))
        .map((request) => [request.params.full, request.params.newid]);
      assert.deepEqual(clones, [
        ["0", "10000"],
        ["1", "10000"],
      ]);
    } finally {
      await h.close();
    }
  });

  void it("a template that is missing or not a template is refused before anything is allocated", async () => {
    const h = await createProxmoxHarness({ proxmox: { template: 9100 } });
    try {
      const error = await h.runtime.create(vmSpec("lab"), host(h)).catch((caught: unknown) => caught);
      assert.ok(VoxnixError.isInstance(error) && error.kind === "host-failure");
      assert.match(error.message, /template 9100 \(proxmox.template\) does not exist/);
      assert.deepEqual(h.ledger.all(), []);
      assert.equal((await h.runtime.doctor()).find((check) => check.name === "proxmox template")?.ok, false);
    } finally {
      await h.close();
    }
  });

  void it("a create cut off after the clone (process killed) is removed by destroy, as job recovery does", async () => {
    const h = await createProxmoxHarness();
    try {
      // What a killed create leaves: a reserved VMID and an untagged clone under the workload's name.
      const vmid = h.ledger.reserveNext(h.settings.vmidRange, "lab", new Date())!;
      h.fake.addForeignVm({ vmid, node: "pve1", name: "lab" });
      assert.equal(
        (await h.runtime.list()).find((vm) => vm.vmid === vmid)?.management,
        "managed",
        "voxnix's own half-made VM",
      );
      await h.runtime.destroy("lab" as WorkloadName, { onProgress: h.onProgress });
      assert.equal(h.fake.vms.has(vmid), false);
      assert.equal(h.ledger.get(vmid)?.state, "released");
    } finally {
      await h.close();
    }
  });

  void it("what a hostile guest's agent reports is filtered: only well-formed, non-loopback addresses, a few", async () => {
    const h = await createProxmoxHarness();
    try {
      await h.runtime.create(vmSpec("lab"), host(h));
      const junk = [
        "10.20.0.99",
        "127.0.0.1",
        "not-an-ip; rm -rf /",
        "169.254.1.1",
        "fe80::1",
        "2001:db8::7",
        "\u001b[31m10.0.0.1",
        ...Array.from({ length: 20 }, (_, index) => `10.9.0.${index}`),
      ];
      h.fake.vms.get(10_000)!.agentAddresses = junk;
      const shown = await h.runtime.show("lab" as WorkloadName);
      assert.deepEqual(shown?.addresses, [
        "10.20.0.99",
        "2001:db8::7",
        "10.9.0.0",
        "10.9.0.1",
        "10.9.0.2",
        "10.9.0.3",
        "10.9.0.4",
        "10.9.0.5",
      ]);
    } finally {
      await h.close();
    }
  });

  void it("a cancelled create stops the running task and rolls back", async () => {
    const h = await createProxmoxHarness();
    try {
      h.fake.hangingTaskTypes.add("qmstart");
      const controller = new AbortController();
      const created = h.runtime.create(vmSpec("lab"), { ...host(h), signal: controller.signal });
      while (![...h.fake.tasks.values()].some((task) => task.type === "qmstart"))
        await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      const error = await created.catch((caught: unknown) => caught);
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /Cancelled while Proxmox was about to start VM 10000/);
      assert.equal(
        [...h.fake.tasks.values()].find((task) => task.type === "qmstart")?.exitstatus,
        "interrupted by signal",
      );
      assert.deepEqual(fakeGuests(h.fake), []);
      assert.equal(h.ledger.get(10_000)?.state, "released");
    } finally {
      await h.close();
    }
  });
});
