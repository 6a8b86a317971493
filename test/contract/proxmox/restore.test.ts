/**
 * Restoring a Proxmox VM brings its workspace disk's data back: through the assembled app (core
 * destroy, confirmation, restore) against the fake cluster, whose volumes hold data. The destroy
 * hands the workspace disk to a keeper VM before the VM is deleted; the restore moves it into
 * the new VM; a restore failing mid-way moves it back and a second restore still finds it; an
 * expired undo window deletes the keeper; another user cannot restore someone else's VM.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApp } from "../../../src/app/create-app.js";
import type { App } from "../../../src/app/app.js";
import type { Actor } from "../../../src/domain/identity.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { renderDestroyResult } from "../../../src/adapters/cli/views.js";
import { isChangeResult } from "../../../src/core/api.js";
import { createSnapshotsRepository } from "../../../src/state/snapshots-repository.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import {
  startFakeProxmoxServer,
  volidOf,
  type FakeProxmoxServer,
  type FakeVm,
} from "../../fakes/fake-proxmox-server.js";
import { ED25519_KEY, fakeGuests } from "./harness.js";

const admin: Actor = { userId: "local:admin" };
const alice: Actor = { userId: "telegram:42" };
const bob: Actor = { userId: "telegram:43" };

async function withCluster(test: (context: { fake: FakeProxmoxServer; app: App }) => Promise<void>): Promise<void> {
  const fake = await startFakeProxmoxServer({ nodes: { pve1: {}, pve2: {} } });
  const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-restore-"));
  writeFileSync(join(dir, "pve-token"), fake.tokenSecret, { mode: 0o400 });
  writeFileSync(
    join(dir, "voxnix.json"),
    JSON.stringify({
      backend: "nspawn",
      storage: { driver: "dir" },
      vm: { maxMemory: "8G", maxDisk: "64G" },
      users: { defaults: { diskQuota: "40G" } },
      proxmox: {
        url: fake.url,
        tokenId: fake.tokenId,
        tokenSecretFile: "pve-token",
        tls: { fingerprint: fake.fingerprint },
        template: 9000,
        pool: "voxnix",
        vmidRange: { first: 10_000, last: 10_099 },
        taskTimeoutSeconds: 10,
        bootTimeoutSeconds: 10,
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
    for (const actor of [alice, bob]) {
      await app.core.whoami(actor); // first contact: pending
      await app.core.approveUser(admin, actor.userId);
    }
    await test({ fake, app });
  } finally {
    await app.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const workspaceVolume = (vm: FakeVm) => volidOf(String(vm.config.scsi1));
const guest = (fake: FakeProxmoxServer, name: string) => fakeGuests(fake).find((vm) => vm.name === name);

async function createLab(app: App, fake: FakeProxmoxServer): Promise<FakeVm> {
  await (
    await app.core.create(alice, {
      kind: "vm",
      name: "lab",
      memory: "1G",
      disk: "4G",
      workspace: "2G",
      sshKeys: [ED25519_KEY],
    })
  ).wait();
  const lab = guest(fake, "lab")!;
  fake.volumes.set(workspaceVolume(lab), "alice's notes");
  return lab;
}

async function destroy(app: App, actor: Actor, name: string): Promise<string[]> {
  const outcome = await app.core.destroy(actor, name);
  const result = await (await app.core.confirm(actor, outcome.token)).wait();
  return isChangeResult(result) ? [] : renderDestroyResult(result);
}

void describe("proxmox restore: the workspace disk comes back", () => {
  void it("destroy keeps the disk in a keeper VM; restore reattaches it with its data", async () => {
    await withCluster(async ({ fake, app }) => {
      const lab = await createLab(app, fake);
      const rootVolume = volidOf(String(lab.config.scsi0));
      const said = await destroy(app, alice, "lab");
      assert.match(said.join("\n"), /Its workspace disk \(kept in a keeper VM on the cluster\) can be restored until/);

      assert.equal(guest(fake, "lab"), undefined, "the VM is gone");
      assert.equal(fake.volumes.has(rootVolume), false, "its root disk went with it");
      const keeper = fakeGuests(fake).find((vm) => vm.name === "voxnix-kept-lab")!;
      assert.ok(keeper, "a keeper VM holds the disk");
      assert.equal(keeper.status, "stopped");
      assert.equal(keeper.pool, "voxnix", "the keeper is in voxnix's pool");
      assert.equal(fake.volumes.get(volidOf(String(keeper.config.unused0))), "alice's notes");
      assert.ok(keeper.vmid >= 10_000 && keeper.vmid <= 10_099, "the keeper's VMID is in voxnix's range");
      // Nobody sees the keeper as a workload or an import.
      assert.deepEqual(
        (await app.core.list(alice)).workloads.map((workload) => workload.name),
        [],
      );
      const adminList = await app.core.list(admin);
      assert.ok(
        !(adminList.unmanaged ?? []).some((entry) => entry.name === "voxnix-kept-lab"),
        "the keeper is not listed as an imported VM",
      );

      // The plan says what comes back.
      const planned = await app.core.plan(alice, { operation: "restore", name: "lab" });
      // What Proxmox keeps is the workspace disk (in a keeper VM); the root disk is cloned again, and the plan says so.
      assert.ok("steps" in planned.plan, JSON.stringify(planned));
      assert.deepEqual(planned.plan.steps.slice(0, 2), [
        "recreate lab as a new VM",
        "bring back its workspace disk (kept in a keeper VM on the cluster) as it was when it was destroyed (proxmox)",
      ]);
      assert.ok(
        !planned.plan.steps.some((step) => /root disk as it was|empty workspace/.test(step)),
        JSON.stringify(planned.plan.steps),
      );

      // Another user cannot restore it: "not yours" is "not found".
      await assert.rejects(
        app.core.restore(bob, "lab"),
        (error: Error & { kind?: string }) => error.kind === "not-found",
      );

      await (await app.core.restore(alice, "lab")).wait();
      const restored = guest(fake, "lab")!;
      assert.notEqual(restored.vmid, lab.vmid, "a new VMID (IDs are never reused)");
      assert.equal(restored.node, keeper.node, "placed on the node holding the disk");
      assert.equal(fake.volumes.get(workspaceVolume(restored)), "alice's notes", "the workspace data is back");
      assert.equal(restored.status, "running");
      assert.equal(fake.vms.has(keeper.vmid), false, "the emptied keeper was deleted");
      assert.deepEqual(
        (await app.core.list(alice)).workloads.map((workload) => workload.name),
        ["lab"],
      );
    });
  });

  void it("a restore failing mid-way hands the disk back; the next restore brings the data", async () => {
    await withCluster(async ({ fake, app }) => {
      await createLab(app, fake);
      await destroy(app, alice, "lab");
      const keeper = fakeGuests(fake).find((vm) => vm.name === "voxnix-kept-lab")!;

      // The disk is moved into the new VM, then its start fails.
      fake.failNextTask("qmstart", "start failed: QEMU exited with code 1", ["kvm: could not open disk image"]);
      await assert.rejects((await app.core.restore(alice, "lab")).wait(), /start failed/);
      assert.equal(guest(fake, "lab"), undefined, "the half-made VM was deleted");
      assert.equal(
        fake.volumes.get(volidOf(String(fake.vms.get(keeper.vmid)?.config.unused0))),
        "alice's notes",
        "the disk is back with its keeper",
      );
      assert.ok(
        fake.requests.some((request) => request.path === `/nodes/${keeper.node}/qemu/${keeper.vmid}/move_disk`),
        "the disk had been moved into the new VM",
      );

      // The move itself failing leaves everything as it was, too.
      fake.failNextTask("qmmove", "storage migration failed: rename failed");
      await assert.rejects((await app.core.restore(alice, "lab")).wait(), /rename failed/);
      assert.equal(guest(fake, "lab"), undefined);
      assert.equal(fake.volumes.get(volidOf(String(fake.vms.get(keeper.vmid)?.config.unused0))), "alice's notes");

      await (await app.core.restore(alice, "lab")).wait();
      assert.equal(fake.volumes.get(workspaceVolume(guest(fake, "lab")!)), "alice's notes");
    });
  });

  void it("a failure while keeping the disk fails the destroy and keeps the VM with its disk", async () => {
    await withCluster(async ({ fake, app }) => {
      const lab = await createLab(app, fake);
      fake.failNextTask("qmmove", "rename failed: volume busy");
      await assert.rejects(destroy(app, alice, "lab"), /rename failed/);
      assert.equal(
        fake.volumes.get(workspaceVolume(fake.vms.get(lab.vmid)!)),
        "alice's notes",
        "the VM still has its disk",
      );
      assert.equal(
        fakeGuests(fake).filter((vm) => vm.name === "voxnix-kept-lab").length,
        0,
        "the keeper made for it was removed",
      );
    });
  });

  void it("when the undo window has passed, the keeper and the disk are deleted", async () => {
    await withCluster(async ({ fake, app }) => {
      await createLab(app, fake);
      await destroy(app, alice, "lab");
      const keeper = fakeGuests(fake).find((vm) => vm.name === "voxnix-kept-lab")!;
      const volume = volidOf(String(keeper.config.unused0));
      const runtime = app.runtimes.byName("proxmox")!;
      const snapshot = createSnapshotsRepository(app.db).latestKept(alice.userId, "lab", new Date());
      assert.ok(snapshot?.rootDisk, "the snapshot records what the runtime kept");
      assert.equal(snapshot.rootDisk.bytes, 2 * 1024 ** 3, "the kept disk's size (counted in the owner's quota)");
      await runtime.discardRootDisk!(snapshot.rootDisk.ref);
      assert.equal(fake.vms.has(keeper.vmid), false);
      assert.equal(fake.volumes.has(volume), false);
      // A second discard of the same ref is a no-op.
      await runtime.discardRootDisk!(snapshot.rootDisk.ref);
    });
  });
});
