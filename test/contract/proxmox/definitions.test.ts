/**
 * Definitions files through the assembled app against the fake cluster: plan shows two managed
 * VMs to create and one imported VM as read-only; apply creates them as their owners (each
 * sees only their own, with a workspace disk apart from the root disk), commits the file and a
 * state summary with the real git; a task failing mid-apply rolls back what that apply created;
 * two applies at once never share a VMID; a bad file is refused with its line before anything.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApp } from "../../../src/app/create-app.js";
import type { App } from "../../../src/app/app.js";
import { applyDefinitions, ApplyFailedError, planFor } from "../../../src/fleet/apply.js";
import { parseDefinitions } from "../../../src/fleet/definitions.js";
import { recordApply, recordImports } from "../../../src/fleet/fleet-app.js";
import { describeList } from "../../../src/agent/replies.js";
import { renderList } from "../../../src/adapters/cli/views.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import { startFakeProxmoxServer, type FakeProxmoxServer } from "../../fakes/fake-proxmox-server.js";
import { ED25519_KEY, fakeGuests } from "./harness.js";

const admin = { userId: "local:admin" } as const;

const FILE = `# VMs kept by the admin
vms:
  - name: lab
    owner: "telegram:42"
    cpus: 2
    memory: 2G
    disk: 8G
    workspace: 3G
    sshKeys: ["${ED25519_KEY}"]
    tags: [lab]
  - name: web
    owner: "telegram:43"
    memory: 1G
    node: pve2
imported:
  - name: legacy
    vmid: 120
    owner: "telegram:42"
    note: the old file server
`;

async function withCluster(
  test: (context: { fake: FakeProxmoxServer; app: App; dir: string; repo: string }) => Promise<void>,
): Promise<void> {
  const fake = await startFakeProxmoxServer({ nodes: { pve1: {}, pve2: {} } });
  fake.addForeignVm({ vmid: 120, node: "pve1", name: "legacy", status: "running" });
  const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-defs-"));
  const repo = join(dir, "audit");
  execFileSync("git", ["init", "--quiet", repo]);
  writeFileSync(join(dir, "pve-token"), fake.tokenSecret, { mode: 0o400 });
  writeFileSync(
    join(dir, "voxnix.json"),
    JSON.stringify({
      backend: "nspawn",
      storage: { driver: "dir" },
      vm: { maxMemory: "8G", maxDisk: "64G" },
      // A VM's root disk counts in its owner's quota (an 8G disk and a 3G workspace here).
      users: { defaults: { diskQuota: "40G" } },
      proxmox: {
        url: fake.url,
        tokenId: fake.tokenId,
        tokenSecretFile: "pve-token",
        tls: { fingerprint: fake.fingerprint },
        template: 9000,
        vmidRange: { first: 10_000, last: 10_099 },
        taskTimeoutSeconds: 10,
        bootTimeoutSeconds: 10,
        fleet: { gitRepo: repo },
      },
    }),
  );
  const logger = new FakeLogger();
  const app = await createApp({
    env: { VOXNIX_CONFIG: join(dir, "voxnix.json"), VOXNIX_STATE_DIR: join(dir, "state") },
    logger,
    runner: createCommandRunner({ logger }),
    proxmoxPollMs: 5,
  });
  try {
    await test({ fake, app, dir, repo });
  } finally {
    await app.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void describe("proxmox definitions: plan and apply", () => {
  void it("plans two creates and one imported VM, applies them as their owners, and commits the trail", async () => {
    await withCluster(async ({ fake, app, repo }) => {
      const definitions = parseDefinitions(FILE, "vms.yaml");
      const plan = await planFor(app.core, admin, definitions);
      assert.deepEqual(
        plan.steps.map((step) => [step.action, step.name]),
        [
          ["create", "lab"],
          ["create", "web"],
          ["imported", "legacy"],
        ],
      );
      assert.ok(plan.steps.some((step) => step.action === "imported" && step.present && step.vmid === 120));
      assert.ok(
        fake.requests.every((request) => request.method === "GET"),
        "planning changed nothing",
      );

      const events: string[] = [];
      const report = await applyDefinitions(
        { core: app.core, actor: admin, onEvent: (name, event) => void events.push(`${name}:${event.type}`) },
        definitions,
      );
      assert.deepEqual(
        report.created.map((vm) => [vm.name, vm.owner]),
        [
          ["lab", "telegram:42"],
          ["web", "telegram:43"],
        ],
      );
      assert.ok(events.includes("lab:job-end") && events.includes("web:job-start"), "progress came as job events");

      // Each owner sees their own VM only; "not yours" is "not found".
      const alice = await app.core.list({ userId: "telegram:42" });
      assert.deepEqual(
        alice.workloads.map((workload) => workload.name),
        ["lab"],
      );
      await assert.rejects(
        app.core.show({ userId: "telegram:43" }, "lab"),
        (error: Error & { kind?: string }) => error.kind === "not-found",
      );

      // The cluster: placement, tags and a workspace disk apart from the root disk.
      const guests = fakeGuests(fake);
      const lab = guests.find((vm) => vm.name === "lab")!;
      const web = guests.find((vm) => vm.name === "web")!;
      assert.equal(web.node, "pve2", "the entry's node was honoured");
      assert.equal(lab.config.tags, "voxnix;lab");
      assert.match(String(lab.config.scsi1), /^local-lvm:vm-\d+-disk-1,backup=1,discard=on,size=3072M$/);
      assert.notEqual(String(lab.config.scsi0).split(",")[0], String(lab.config.scsi1).split(",")[0]);
      assert.equal(fake.vms.get(120)?.status, "running", "the imported VM was not touched");
      assert.ok(
        !fake.requests.some((request) => request.method !== "GET" && request.path.includes("/120/")),
        "no change was sent to the imported VM",
      );

      // The imported VM assigned to telegram:42 is shown to them (and admins), read-only; not to anyone else.
      assert.equal(recordImports(app, definitions), 1);
      const aliceNow = await app.core.list({ userId: "telegram:42" });
      assert.deepEqual(
        aliceNow.imported?.map((vm) => [vm.name, vm.vmid, vm.live, vm.readOnly]),
        [["legacy", 120, "running", true]],
      );
      assert.match(describeList(aliceNow), /legacy: running \(imported VM 120, read-only: the old file server\)/);
      assert.match(
        renderList(aliceNow).join("\n"),
        /Imported VMs \(read-only[^\n]*\n[^\n]*\n[^\n]*legacy\s+telegram:42\s+120\s+running/,
      );
      const bob = await app.core.list({ userId: "telegram:43" });
      assert.equal(bob.imported, undefined, "another user does not see it");
      assert.ok(!describeList(bob).includes("legacy"));
      const adminNow = await app.core.list(admin);
      assert.deepEqual(
        adminNow.imported?.map((vm) => vm.name),
        ["legacy"],
      );
      assert.ok(!(adminNow.unmanaged ?? []).some((entry) => entry.name === "legacy"), "listed once, as imported");
      // Nobody can change it through voxnix: its owner is told why, naming the flag; others get "not found".
      await assert.rejects(
        app.core.destroy({ userId: "telegram:42" }, "legacy"),
        (error: Error & { kind?: string }) =>
          error.kind === "conflict" && /imported VM \(VMID 120\).*allowPowerControl/.test(error.message),
      );
      await assert.rejects(
        app.core.destroy({ userId: "telegram:43" }, "legacy"),
        (error: Error & { kind?: string }) => error.kind === "not-found",
      );
      // An apply of the file without the entry removes the assignment.
      recordImports(app, { ...definitions, imported: [] });
      assert.equal((await app.core.list({ userId: "telegram:42" })).imported, undefined);
      recordImports(app, definitions);

      // A second plan has nothing to do.
      const again = await planFor(app.core, admin, definitions);
      assert.deepEqual(again.counts, { create: 0, unchanged: 2, differs: 0, conflict: 0, imported: 1, unlisted: 0 });

      const trail = await recordApply(app, admin, definitions, { outcome: "applied", report });
      assert.equal(trail?.committed, true);
      const log = execFileSync("git", ["-C", repo, "log", "--format=%an <%ae>|%s"], { encoding: "utf8" }).trim();
      assert.equal(log, "voxnix <voxnix@localhost>|proxmox apply of vms.yaml by local:admin: created lab, web");
      assert.equal(readFileSync(join(repo, "proxmox", "vms.yaml"), "utf8"), FILE);
      const state = JSON.parse(readFileSync(join(repo, "proxmox", "state.json"), "utf8")) as {
        created: { name: string }[];
        vms: { name: string; state: string }[];
      };
      assert.deepEqual(
        state.created.map((vm) => vm.name),
        ["lab", "web"],
      );
      assert.ok(state.vms.some((vm) => vm.name === "legacy" && vm.state === "imported"));
      assert.ok(!readFileSync(join(repo, "proxmox", "state.json"), "utf8").includes(fake.tokenSecret));
    });
  });

  void it("a task failing mid-apply rolls back what that apply created, and says so", async () => {
    await withCluster(async ({ fake, app, repo }) => {
      const definitions = parseDefinitions(
        FILE.replace("    tags: [lab]", "    tags: [lab]\n    node: pve1"),
        "vms.yaml",
      );
      // lab (on pve1) is created; web's start task on pve2 fails.
      fake.failNextTask(
        "qmstart",
        "start failed: QEMU exited with code 1",
        ["kvm: -drive file=/dev/pve/vm-disk: Could not open"],
        "pve2",
      );
      const failure = await applyDefinitions({ core: app.core, actor: admin }, definitions).then(
        () => assert.fail("the apply should have failed"),
        (error: unknown) => error,
      );
      assert.ok(failure instanceof ApplyFailedError, String(failure));
      assert.equal(failure.failedAt, "web");
      assert.deepEqual(failure.undone, ["lab"]);
      assert.deepEqual(failure.kept, []);
      assert.match(
        failure.message,
        /start failed: QEMU exited with code 1.*Rolled back what this apply created: lab\./s,
      );
      // The rollback is a core destroy like any other: lab's workspace disk is kept (in a keeper VM) for the undo window.
      assert.deepEqual(
        fakeGuests(fake).map((vm) => vm.name),
        ["legacy", "voxnix-kept-lab"],
        "no VM of this apply is left on the cluster, only the undo copy",
      );
      assert.deepEqual(
        (await app.core.list(admin)).workloads.map((workload) => workload.name),
        [],
      );
      assert.equal(fake.vms.get(120)?.status, "running");

      const trail = await recordApply(app, admin, definitions, { outcome: "failed", error: failure });
      assert.equal(trail?.committed, true);
      const subject = execFileSync("git", ["-C", repo, "log", "-1", "--format=%s"], { encoding: "utf8" }).trim();
      assert.equal(subject, "proxmox apply of vms.yaml by local:admin failed at web; rolled back lab");

      // The IDs the failed apply used are never handed out again.
      const retry = await applyDefinitions({ core: app.core, actor: admin }, definitions);
      assert.deepEqual(
        retry.created.map((vm) => vm.name),
        ["lab", "web"],
      );
      const used = fakeGuests(fake)
        .filter((vm) => vm.name !== "legacy")
        .map((vm) => vm.vmid);
      assert.ok(
        used.every((vmid) => vmid >= 10_002),
        `fresh VMIDs: ${used.join(", ")}`,
      );
    });
  });

  void it("two applies at once never share a VMID", async () => {
    await withCluster(async ({ fake, app }) => {
      const one = parseDefinitions(
        ["vms:", ...["a1", "a2", "a3"].map((name) => `  - { name: ${name}, owner: "telegram:42", memory: 512M }`)].join(
          "\n",
        ),
        "one.yaml",
      );
      const two = parseDefinitions(
        ["vms:", ...["b1", "b2", "b3"].map((name) => `  - { name: ${name}, owner: "telegram:43", memory: 512M }`)].join(
          "\n",
        ),
        "two.yaml",
      );
      fake.raceCloneWorker(2);
      const [first, second] = await Promise.all([
        applyDefinitions({ core: app.core, actor: admin }, one),
        applyDefinitions({ core: app.core, actor: admin }, two),
      ]);
      assert.equal(first.created.length + second.created.length, 6);
      // The racing clones took two IDs for other VMs; ours each got a VMID of their own.
      const ours = fakeGuests(fake).filter((vm) => /^[ab]\d$/.test(vm.name));
      assert.deepEqual(ours.map((vm) => vm.name).sort(), ["a1", "a2", "a3", "b1", "b2", "b3"]);
      assert.equal(
        new Set(ours.map((vm) => vm.vmid)).size,
        6,
        `distinct VMIDs: ${ours.map((vm) => vm.vmid).join(", ")}`,
      );
      assert.equal(new Set(fakeGuests(fake).map((vm) => vm.vmid)).size, fakeGuests(fake).length);
    });
  });

  void it("refuses a conflicting or malformed file before changing anything", async () => {
    await withCluster(async ({ fake, app }) => {
      await app.core.whoami({ userId: "telegram:43" });
      await app.core.approveUser(admin, "telegram:43");
      await (await app.core.create({ userId: "telegram:43" }, { kind: "vm", name: "lab", memory: "512M" })).wait();
      const before = fake.requests.length;
      await assert.rejects(
        applyDefinitions({ core: app.core, actor: admin }, parseDefinitions(FILE, "vms.yaml")),
        /line 3: "lab" already exists and belongs to someone else \(telegram:43\).*Nothing was changed/,
      );
      assert.ok(fake.requests.slice(before).every((request) => request.method === "GET"));
      // Only an admin may plan or apply.
      await assert.rejects(
        planFor(app.core, { userId: "telegram:42" }, parseDefinitions(FILE, "vms.yaml")),
        /Only an admin/,
      );
    });
  });
});
