/**
 * The Proxmox runtime against the fake cluster: the happy path a person's "make me a VM called
 * lab" takes (create → show → stop → start → restart → destroy), what it sends to Proxmox
 * (clone, cloud-init with URL-encoded keys, resize, start), one listing call, and doctor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { WorkloadName } from "../../../src/domain/names.js";
import { decodeSshKeys } from "../../../src/runtimes/proxmox/cloud-init.js";
import {
  createAndShow,
  createProxmoxHarness,
  ED25519_KEY,
  fakeGuests,
  vmSpec,
  type ProxmoxHarness,
} from "./harness.js";

const lab = "lab" as WorkloadName;

void describe("proxmox runtime lifecycle", () => {
  let h: ProxmoxHarness;
  before(async () => {
    h = await createProxmoxHarness({ proxmox: { pool: "voxnix" } });
  });
  after(() => h.close());

  void it("creates a VM: clone, cloud-init, resize, start, address from the guest agent", async () => {
    const details = await createAndShow(h, vmSpec("lab"));
    assert.equal(details.state, "running");
    assert.equal(details.facts.vmid, "10000");
    assert.match(details.addresses[0] ?? "", /^10\.20\./);

    const vm = h.fake.vms.get(10_000)!;
    assert.equal(vm.name, "lab");
    assert.equal(vm.status, "running");
    assert.equal(vm.pool, "voxnix");
    assert.equal(vm.config.cores, 2);
    assert.equal(vm.config.memory, 2048);
    assert.equal(vm.config.ciuser, "voxnix");
    assert.equal(vm.config.ipconfig0, "ip=dhcp");
    assert.equal(vm.config.tags, "voxnix");
    assert.match(String(vm.config.scsi0), /size=8192M/);
    assert.deepEqual(decodeSshKeys(String(vm.config.sshkeys)), [ED25519_KEY]);
    // The wire value is percent-encoded (Proxmox URL-decodes sshkeys before validating it).
    const configCall = h.fake.requests.find(
      (request) => request.method === "POST" && request.path.endsWith("/qemu/10000/config"),
    )!;
    assert.match(configCall.params.sshkeys ?? "", /^ssh-ed25519%20AAAA/);
    assert.equal(h.ledger.findLive("lab")?.state, "active");

    const steps = h.events
      .filter((event) => event.type === "step")
      .map((event) => (event.type === "step" ? event.step : ""));
    assert.deepEqual([...new Set(steps)], ["preparing", "installing", "starting", "waiting-for-boot"]);
    assert.ok(
      h.events.some((event) => event.type === "log" && /linked clone/.test(event.line)),
      "task log lines arrive as progress",
    );
  });

  void it("a linked clone from the template's node to the node with the most free memory", () => {
    const clone = h.fake.requests.find((request) => request.path.endsWith("/clone"))!;
    assert.equal(clone.path, "/nodes/pve1/qemu/9000/clone");
    assert.equal(clone.params.full, "0");
    assert.equal(clone.params.newid, "10000");
    assert.equal(clone.params.storage, undefined);
  });

  void it("shows the VM with its node and VMID, and lists the cluster in one call", async () => {
    const shown = await h.runtime.show(lab);
    assert.equal(shown?.node, "pve1");
    assert.equal(shown?.vmid, 10_000);
    assert.equal(shown?.management, "managed");
    assert.equal(shown?.state, "running");
    const before = h.fake.requests.length;
    const listed = await h.runtime.list();
    assert.equal(h.fake.requests.length - before, 1);
    assert.deepEqual(
      listed.map((vm) => [vm.name, vm.state, vm.management]),
      [["lab", "running", "managed"]],
    );
  });

  void it("stops (clean shutdown), starts and restarts; stopping a stopped VM succeeds", async () => {
    await h.runtime.stop(lab, { onProgress: h.onProgress });
    assert.equal(h.fake.vms.get(10_000)?.status, "stopped");
    assert.ok(
      h.fake.requests.some((request) => request.path.endsWith("/status/shutdown") && request.params.forceStop === "1"),
    );
    await h.runtime.stop(lab, { onProgress: h.onProgress });
    await h.runtime.start(lab, { onProgress: h.onProgress });
    assert.equal(h.fake.vms.get(10_000)?.status, "running");
    await h.runtime.restart(lab, { onProgress: h.onProgress });
    assert.ok(h.fake.requests.some((request) => request.path.endsWith("/status/reboot")));
  });

  void it("logs are the VM's Proxmox task logs", async () => {
    const logs = await h.runtime.logs(lab, { lines: 50 });
    assert.ok(logs.some((entry) => entry.unit === "task qmstart" && entry.message === "TASK OK"));
  });

  void it("destroys: stop, delete with purge, and the VMID is released for good", async () => {
    const report = await h.runtime.destroy(lab, { onProgress: h.onProgress });
    assert.deepEqual(report.warnings, []);
    assert.equal(fakeGuests(h.fake).length, 0);
    const deletion = h.fake.requests.find(
      (request) => request.method === "DELETE" && request.path === "/nodes/pve1/qemu/10000",
    )!;
    assert.equal(deletion.params.purge, "1");
    assert.equal(deletion.params["destroy-unreferenced-disks"], "1");
    assert.equal(h.ledger.get(10_000)?.state, "released");
    assert.equal(await h.runtime.show(lab), undefined);
    assert.deepEqual(
      (await h.runtime.destroy(lab, { onProgress: h.onProgress })).warnings,
      [],
      "an unknown name succeeds",
    );
  });

  void it("doctor: reachable, token accepted, template present, nodes online", async () => {
    const checks = await h.runtime.doctor();
    assert.ok(
      checks.every((check) => check.ok),
      JSON.stringify(checks, null, 1),
    );
    assert.deepEqual(
      checks.map((check) => check.name),
      [
        "proxmox token secret file",
        "proxmox API reachable",
        "proxmox token",
        "proxmox template",
        "proxmox nodes",
        "proxmox VMID range",
      ],
    );
  });

  void it("plan names the calls and changes nothing", async () => {
    const before = h.fake.requests.filter((request) => request.method !== "GET").length;
    const plan = await h.runtime.plan(vmSpec("web"));
    assert.equal(plan.commands[1]?.[1], "/nodes/pve1/qemu/9000/clone");
    assert.equal(h.fake.requests.filter((request) => request.method !== "GET").length, before);
  });
});

void describe("proxmox runtime: backup before destroy", () => {
  void it("backs the VM up with vzdump before deleting it", async () => {
    const h = await createProxmoxHarness({ proxmox: { backupBeforeDestroy: { storage: "pbs" } } });
    try {
      await h.runtime.create(vmSpec("lab"), { ownerLabel: "local:admin", onProgress: h.onProgress });
      await h.runtime.destroy(lab, { onProgress: h.onProgress });
      assert.deepEqual(h.fake.backups, [{ vmid: 10_000, storage: "pbs" }]);
      const order = h.fake.requests
        .filter((request) => request.method !== "GET")
        .map((request) => request.path.split("/").slice(-1)[0]);
      assert.ok(order.indexOf("vzdump") < order.lastIndexOf("10000"), order.join(" "));
    } finally {
      await h.close();
    }
  });
});

void describe("proxmox runtime: journal through the guest agent", () => {
  void it("with proxmox.journalViaAgent, logs end with the VM's journal read by a fixed journalctl argv", async () => {
    const h = await createProxmoxHarness({ proxmox: { journalViaAgent: true } });
    try {
      await h.runtime.create(vmSpec("lab"), { ownerLabel: "local:admin", onProgress: h.onProgress });
      const logs = await h.runtime.logs(lab, { lines: 5 });
      assert.equal(logs.length, 5);
      assert.equal(logs.at(-1)?.unit, "journal");
      assert.match(logs.at(-1)?.message ?? "", /cloud-init.*finished/);
      assert.deepEqual(h.fake.agentCommands, [
        { vmid: 10_000, command: ["journalctl", "--no-pager", "-o", "short-iso", "-n", "5"] },
      ]);
    } finally {
      await h.close();
    }
  });

  void it("without it (the default) no command ever runs in the guest", async () => {
    const h = await createProxmoxHarness();
    try {
      await h.runtime.create(vmSpec("lab"), { ownerLabel: "local:admin", onProgress: h.onProgress });
      const logs = await h.runtime.logs(lab, { lines: 50 });
      assert.ok(logs.every((entry) => entry.unit?.startsWith("task ")));
      assert.deepEqual(h.fake.agentCommands, []);
    } finally {
      await h.close();
    }
  });
});
