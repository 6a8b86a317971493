/**
 * The built CLI (`bin/voxnix.js`, the bundle people run) with Proxmox configured: `voxnix
 * doctor --json` reports the cluster checks against the fake, and the token secret appears
 * nowhere in its output. Needs `npm run build` after source changes (bin/voxnix.js falls back
 * to the sources when dist/ is stale).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startFakeProxmoxServer } from "../../fakes/fake-proxmox-server.js";

const BIN = fileURLToPath(new URL("../../../bin/voxnix.js", import.meta.url));

function run(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: env.HOME ?? "/tmp", ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

void describe("the built CLI with Proxmox configured", () => {
  void it("lists the Proxmox checks; the secret is not in the output", async () => {
    const fake = await startFakeProxmoxServer();
    const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-cli-"));
    try {
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
          },
        }),
      );
      const result = await run(["doctor", "--json"], {
        VOXNIX_CONFIG: join(dir, "voxnix.json"),
        VOXNIX_STATE_DIR: join(dir, "state"),
        HOME: dir,
      });
      const report = JSON.parse(result.stdout) as {
        result: { backend: string; checks: { name: string; ok: boolean; detail: string }[] };
      };
      assert.equal(report.result.backend, "nspawn, proxmox");
      const proxmox = report.result.checks.filter((check) => check.name.startsWith("proxmox"));
      assert.deepEqual(
        proxmox.map((check) => [check.name, check.ok]),
        [
          ["proxmox token secret file", true],
          ["proxmox API reachable", true],
          ["proxmox token", true],
          ["proxmox template", true],
          ["proxmox nodes", true],
          ["proxmox VMID range", true],
        ],
        result.stderr,
      );
      assert.ok(fake.requests.every((request) => request.authenticated));
      assert.ok(!`${result.stdout}${result.stderr}`.includes(fake.tokenSecret));
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("admins' list shows the cluster's other VMs as unmanaged", async () => {
    const fake = await startFakeProxmoxServer();
    const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-cli-"));
    try {
      fake.addForeignVm({ vmid: 120, node: "pve2", name: "legacy", status: "running" });
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
          },
        }),
      );
      const result = await run(["ctl", "list", "--json"], {
        VOXNIX_CONFIG: join(dir, "voxnix.json"),
        VOXNIX_STATE_DIR: join(dir, "state"),
        HOME: dir,
      });
      const listed = JSON.parse(result.stdout) as { result: { unmanaged?: { name: string; state: string }[] } };
      assert.deepEqual(
        listed.result.unmanaged?.filter((entry) => entry.name === "legacy"),
        [{ name: "legacy", state: "running" }],
        result.stderr,
      );
      assert.ok(
        fake.requests.every((request) => request.method === "GET"),
        "listing changed nothing",
      );
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  void it("proxmox plan and apply: a plan of two managed and one imported VM, then apply, then nothing to do", async () => {
    const fake = await startFakeProxmoxServer({ nodes: { pve1: {}, pve2: {} } });
    const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-cli-"));
    try {
      fake.addForeignVm({ vmid: 120, node: "pve1", name: "legacy", status: "running" });
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
          },
        }),
      );
      writeFileSync(
        join(dir, "vms.yaml"),
        [
          "vms:",
          '  - { name: lab, owner: "telegram:42", memory: 1G }',
          '  - { name: web, owner: "telegram:43", memory: 512M, node: pve2 }',
          "imported:",
          '  - { name: legacy, vmid: 120, owner: "telegram:42", allowPowerControl: true }',
        ].join("\n"),
      );
      const env = { VOXNIX_CONFIG: join(dir, "voxnix.json"), VOXNIX_STATE_DIR: join(dir, "state"), HOME: dir };
      const plan = await run(["proxmox", "plan", join(dir, "vms.yaml")], env);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /\+ create {3}lab for telegram:42/);
      assert.match(
        plan.stdout,
        /imported legacy \(VMID 120, telegram:42\): imported, start and stop only \(allowPowerControl\)/,
      );
      assert.ok(
        fake.requests.every((request) => request.method === "GET"),
        "plan changed nothing",
      );

      const applied = await run(["proxmox", "apply", join(dir, "vms.yaml"), "--json"], env);
      assert.equal(applied.code, 0, applied.stderr);
      const report = JSON.parse(applied.stdout) as { result: { created: { name: string; owner: string }[] } };
      assert.deepEqual(
        report.result.created.map((vm) => [vm.name, vm.owner]),
        [
          ["lab", "telegram:42"],
          ["web", "telegram:43"],
        ],
      );

      const again = await run(["proxmox", "plan", join(dir, "vms.yaml"), "--json"], env);
      assert.deepEqual((JSON.parse(again.stdout) as { result: { counts: Record<string, number> } }).result.counts, {
        create: 0,
        unchanged: 2,
        differs: 0,
        conflict: 0,
        imported: 1,
        unlisted: 0,
      });

      // The imported VM cannot be destroyed by anyone; the refusal names the flag.
      const destroy = await run(["ctl", "destroy", "legacy", "--yes"], env);
      assert.notEqual(destroy.code, 0);
      assert.match(destroy.stderr, /"legacy" is an imported VM \(VMID 120\).*allowPowerControl/);
      assert.equal(fake.vms.get(120)?.status, "running");

      // Its owner shows and stops it (allowPowerControl: true), from the CLI and through chat; another user learns nothing.
      const shown = await run(["--as", "telegram:42", "ctl", "show", "legacy"], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /kind:\s+imported VM/);
      assert.match(shown.stdout, /vmid:\s+120/);
      const stopped = await run(["--as", "telegram:42", "ctl", "stop", "legacy"], env);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /legacy stopped \(live: stopped\)/);
      assert.equal(fake.vms.get(120)?.status, "stopped");
      const said = await run(["--as", "telegram:42", "say", "start legacy"], env);
      assert.equal(said.code, 0, said.stderr);
      assert.match(said.stdout, /legacy is started/);
      assert.equal(fake.vms.get(120)?.status, "running");
      const execDry = await run(["--as", "telegram:42", "--dry-run", "ctl", "exec", "legacy", "--", "true"], env);
      assert.equal(execDry.code, 1, "the core's refusal, not a plan");
      assert.match(execDry.stderr, /"legacy" is an imported VM \(VMID 120\).* never runs a command or shell on it/);
      const other = await run(["--as", "telegram:43", "ctl", "stop", "legacy"], env);
      assert.equal(other.code, 3, other.stderr);
      assert.match(other.stderr, /You have no workload called "legacy"/);
      assert.equal(fake.vms.get(120)?.status, "running");

      // A malformed file: exit 2, the line named, nothing sent.
      writeFileSync(join(dir, "bad.yaml"), 'vms:\n  - { name: lab, owner: "telegram:42", memroy: 1G }\n');
      const before = fake.requests.length;
      const bad = await run(["proxmox", "apply", join(dir, "bad.yaml")], env);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /bad\.yaml:2: vms\.0: .*memroy/);
      assert.equal(fake.requests.length, before);
      assert.ok(!`${plan.stdout}${applied.stdout}${applied.stderr}`.includes(fake.tokenSecret));
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
