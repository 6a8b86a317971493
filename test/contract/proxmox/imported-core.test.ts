/**
 * Imported VMs through the core, the chat and the rendering, against the fake cluster: the
 * owner an entry assigns it to (and admins) can show it, and start and stop it only when the
 * entry says `allowPowerControl: true`; every other operation is refused with an error naming
 * the flag, before any request that would change the VM; another user gets "not found"; a
 * record whose VMID now holds a differently named VM is refused by the runtime.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApp } from "../../../src/app/create-app.js";
import type { App } from "../../../src/app/app.js";
import { createChatPipeline } from "../../../src/agent/pipeline.js";
import { createHttpApp } from "../../../src/adapters/http/app.js";
import { renderDetails } from "../../../src/adapters/cli/views.js";
import { isImportedVm } from "../../../src/core/api.js";
import { parseDefinitions } from "../../../src/fleet/definitions.js";
import { recordImports } from "../../../src/fleet/fleet-app.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import { startFakeProxmoxServer, type FakeProxmoxServer } from "../../fakes/fake-proxmox-server.js";

const alice = { userId: "telegram:42" } as const;
const bob = { userId: "telegram:43" } as const;
const admin = { userId: "local:admin" } as const;

const FILE = `imported:
  - { name: legacy, vmid: 120, owner: "telegram:42", note: the old file server, allowPowerControl: true }
  - { name: archive, vmid: 121, owner: "telegram:42" }
  - { name: orphan, vmid: 122 }
`;

const changing = (fake: FakeProxmoxServer, vmid: number) =>
  fake.requests.filter((request) => request.method !== "GET" && request.path.includes(`/${vmid}/`));

async function withImports(test: (context: { fake: FakeProxmoxServer; app: App }) => Promise<void>): Promise<void> {
  const fake = await startFakeProxmoxServer({ nodes: { pve1: {}, pve2: {} } });
  fake.addForeignVm({ vmid: 120, node: "pve1", name: "legacy", status: "running" });
  fake.addForeignVm({ vmid: 121, node: "pve2", name: "archive", status: "stopped" });
  fake.addForeignVm({ vmid: 122, node: "pve2", name: "orphan", status: "running" });
  const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-imports-"));
  writeFileSync(join(dir, "pve-token"), fake.tokenSecret, { mode: 0o400 });
  writeFileSync(
    join(dir, "voxnix.json"),
    JSON.stringify({
      backend: "nspawn",
      storage: { driver: "dir" },
      proxmox: {
        url: fake.url,
        tokenId: fake.tokenId,
        tokenSecretFile: "pve-token",
        tls: { fingerprint: fake.fingerprint },
        template: 9000,
        taskTimeoutSeconds: 10,
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
    for (const user of [alice, bob]) {
      await app.core.whoami(user).catch(() => undefined);
      await app.core.approveUser(admin, user.userId);
    }
    recordImports(app, parseDefinitions(FILE, join(dir, "vms.yaml")));
    await test({ fake, app });
  } finally {
    await app.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function kindOf(error: unknown): string | undefined {
  return (error as { kind?: string }).kind;
}

void describe("imported VMs through the core", () => {
  void it("its owner shows, stops and starts one whose entry allows it; the dry run changes nothing", async () => {
    await withImports(async ({ fake, app }) => {
      const shown = await app.core.show(alice, "legacy");
      assert.ok(isImportedVm(shown));
      assert.deepEqual(
        [shown.name, shown.vmid, shown.owner, shown.live, shown.allowPowerControl, shown.note],
        ["legacy", 120, "telegram:42", "running", true, "the old file server"],
      );
      assert.equal(shown.facts.node, "pve1");
      assert.match(
        renderDetails(shown).join("\n"),
        /kind:\s+imported VM[^\n]*\n(.|\n)*allowed:\s+show, start, stop \(allowPowerControl: true\)/,
      );

      const planned = await app.core.plan(alice, { operation: "stop", name: "legacy" });
      assert.match(planned.plan.steps.join("\n"), /stop the imported VM legacy \(VMID 120\)/);
      assert.deepEqual(changing(fake, 120), [], "the dry run sent nothing");

      const stopped = await app.core.stop(alice, "legacy");
      assert.ok(isImportedVm(stopped));
      assert.equal(fake.vms.get(120)?.status, "stopped");
      assert.equal(stopped.live, "stopped");
      assert.deepEqual(
        changing(fake, 120).map((request) => request.path.replace(/^.*\/120/, "")),
        ["/status/shutdown"],
      );
      const started = await app.core.start(alice, "legacy");
      assert.equal(fake.vms.get(120)?.status, "running");
      assert.equal(started.live, "running");
      // An admin may do the same; both were audited under the VM's name.
      await app.core.stop(admin, "legacy");
      assert.equal(fake.vms.get(120)?.status, "stopped");
      const audit = await app.core.auditLog(admin, { workload: "legacy" });
      const rows = audit.entries
        .filter((entry) => entry.operation !== "show" && !(entry.args as { dryRun?: boolean }).dryRun)
        .map((entry) => [entry.operation, entry.actor, entry.outcome]);
      assert.deepEqual(rows.reverse(), [
        ["stop", "telegram:42", "ok"],
        ["start", "telegram:42", "ok"],
        ["stop", "local:admin", "ok"],
      ]);
    });
  });

  void it("refuses start and stop without allowPowerControl, and every other operation always, naming the flag", async () => {
    await withImports(async ({ fake, app }) => {
      const archive = await app.core.show(alice, "archive");
      assert.ok(isImportedVm(archive));
      assert.equal(archive.allowPowerControl, false);
      for (const call of [
        () => app.core.start(alice, "archive"),
        () => app.core.stop(alice, "archive"),
        () => app.core.plan(alice, { operation: "start", name: "archive" }),
      ]) {
        const error = await call().catch((caught: unknown) => caught);
        assert.equal(kindOf(error), "conflict", String(error));
        assert.match(
          (error as Error).message,
          /"archive" is an imported VM \(VMID 121\).*its entry does not say allowPowerControl: true/,
        );
      }
      for (const [operation, call] of [
        ["destroy", () => app.core.destroy(alice, "legacy")],
        ["restart", () => app.core.restart(alice, "legacy")],
        ["change", () => app.core.change(alice, "legacy", { cpus: 4 })],
        ["logs", () => app.core.logs(alice, "legacy")],
        ["hostKey", () => app.core.hostKey(alice, "legacy")],
        ["exec", () => app.core.exec(alice, { name: "legacy", argv: ["true"] })],
        ["setIdleTimeout", () => app.core.setIdleTimeout(alice, "legacy", "2h")],
        ["destroy by an admin", () => app.core.destroy(admin, "legacy")],
      ] as const) {
        const error = await (call as () => Promise<unknown>)().catch((caught: unknown) => caught);
        assert.equal(kindOf(error), "conflict", `${operation}: ${String(error)}`);
        assert.match(
          (error as Error).message,
          /"legacy" is an imported VM \(VMID 120\), listed under imported in the definitions file.*you can show, start and stop it \(allowPowerControl: true\); nothing else/,
          operation,
        );
      }
      assert.deepEqual([...changing(fake, 120), ...changing(fake, 121)], [], "nothing was sent that would change them");
      assert.equal(fake.vms.get(120)?.status, "running");
      assert.equal(fake.vms.get(121)?.status, "stopped");
    });
  });

  void it("another user gets 'not found' for every operation; admins see one assigned to nobody", async () => {
    await withImports(async ({ fake, app }) => {
      for (const call of [
        () => app.core.show(bob, "legacy"),
        () => app.core.stop(bob, "legacy"),
        () => app.core.destroy(bob, "legacy"),
        () => app.core.show(alice, "orphan"),
      ]) {
        const error = await (call as () => Promise<unknown>)().catch((caught: unknown) => caught);
        assert.equal(kindOf(error), "not-found", String(error));
        assert.match((error as Error).message, /You have no workload called "(legacy|orphan)"/);
      }
      const orphan = await app.core.show(admin, "orphan");
      assert.ok(isImportedVm(orphan));
      assert.equal(orphan.owner, undefined);
      assert.deepEqual(
        (await app.core.list(admin)).imported?.map((vm) => [vm.name, vm.owner ?? "-", vm.allowPowerControl]),
        [
          ["archive", "telegram:42", false],
          ["legacy", "telegram:42", true],
          ["orphan", "-", false],
        ],
      );
      assert.deepEqual(changing(fake, 120), []);
    });
  });

  void it("a VMID that now holds a VM with another name is not started, and shows as missing", async () => {
    await withImports(async ({ fake, app }) => {
      fake.vms.delete(120);
      fake.addForeignVm({ vmid: 120, node: "pve1", name: "someone-else", status: "stopped" });
      const error = await app.core.start(alice, "legacy").catch((caught: unknown) => caught);
      assert.equal(kindOf(error), "conflict", String(error));
      assert.match(
        (error as Error).message,
        /voxnix will not start VMID 120: it is now called "someone-else" in the cluster, not "legacy"/,
      );
      assert.equal(fake.vms.get(120)?.status, "stopped");
      assert.deepEqual(changing(fake, 120), []);
      const shown = await app.core.show(alice, "legacy");
      assert.equal(shown.live, "missing");
    });
  });

  void it("through the HTTP API: show and stop answer kind imported-vm; destroy is 409 naming the flag; another user gets 404", async () => {
    await withImports(async ({ fake, app }) => {
      const http = createHttpApp({ core: app.core, watchMaxMs: 0 });
      const token = async (userId: string) => (await app.core.createApiToken(admin, userId)).token;
      const [aliceToken, bobToken] = [await token(alice.userId), await token(bob.userId)];
      const call = async (bearer: string, method: string, path: string) => {
        const response = await http.request(path, { method, headers: { authorization: `Bearer ${bearer}` } });
        return {
          status: response.status,
          body: (await response.json()) as {
            ok: boolean;
            result?: Record<string, unknown>;
            error?: { kind: string; message: string };
          },
        };
      };
      const shown = await call(aliceToken, "GET", "/api/v1/workloads/legacy");
      assert.equal(shown.status, 200, JSON.stringify(shown.body));
      assert.deepEqual(
        [shown.body.result?.kind, shown.body.result?.vmid, shown.body.result?.allowPowerControl],
        ["imported-vm", 120, true],
      );
      const stopped = await call(aliceToken, "POST", "/api/v1/workloads/legacy/stop");
      assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
      assert.equal(stopped.body.result?.live, "stopped");
      assert.equal(fake.vms.get(120)?.status, "stopped");
      const destroy = await call(aliceToken, "DELETE", "/api/v1/workloads/legacy");
      assert.equal(destroy.status, 409);
      assert.equal(destroy.body.error?.kind, "conflict");
      assert.match(destroy.body.error?.message ?? "", /allowPowerControl/);
      const other = await call(bobToken, "POST", "/api/v1/workloads/legacy/start");
      assert.equal(other.status, 404);
      assert.equal(fake.vms.get(120)?.status, "stopped");
      assert.ok(fake.vms.has(120));
    });
  });

  void it("through the chat: show and stop work for the owner, destroy is refused naming the flag, another user learns nothing", async () => {
    await withImports(async ({ fake, app }) => {
      const pipeline = createChatPipeline({
        core: app.core,
        conversations: app.conversations,
        config: app.config,
        secrets: app.secrets,
        logger: app.logger,
        dryRun: false,
      });
      const shown = await pipeline.handle(alice, "show legacy");
      assert.match(shown.text, /legacy is an imported VM \(VMID 120\) that voxnix did not create; it is running\./);
      assert.match(shown.text, /You can start and stop it here; nothing else \(allowPowerControl: true\)/);
      const stopped = await pipeline.handle(alice, "stop legacy");
      assert.match(stopped.text, /legacy is stopped/);
      assert.equal(fake.vms.get(120)?.status, "stopped");
      const destroy = await pipeline.handle(alice, "destroy legacy");
      assert.match(destroy.text, /imported VM \(VMID 120\)[^]*allowPowerControl/);
      assert.equal(destroy.confirmation, undefined);
      const archive = await pipeline.handle(alice, "start archive");
      assert.match(archive.text, /allowPowerControl: true/);
      assert.equal(fake.vms.get(121)?.status, "stopped");
      const other = await pipeline.handle(bob, "start legacy");
      assert.doesNotMatch(other.text, /imported|VMID|120/);
      assert.equal(fake.vms.get(120)?.status, "stopped");
      assert.ok(fake.vms.has(120));
    });
  });
});
