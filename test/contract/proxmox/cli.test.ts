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

function run(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: env.HOME ?? "/tmp", ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
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
          proxmox: { url: fake.url, tokenId: fake.tokenId, tokenSecretFile: "pve-token", tls: { fingerprint: fake.fingerprint }, template: 9000 },
        }),
      );
      const result = await run(["doctor", "--json"], { VOXNIX_CONFIG: join(dir, "voxnix.json"), VOXNIX_STATE_DIR: join(dir, "state"), HOME: dir });
      const report = JSON.parse(result.stdout) as { result: { backend: string; checks: { name: string; ok: boolean; detail: string }[] } };
      assert.equal(report.result.backend, "nspawn, proxmox");
      const proxmox = report.result.checks.filter((check) => check.name.startsWith("proxmox"));
      assert.deepEqual(
        proxmox.map((check) => [check.name, check.ok]),
        [["proxmox token secret file", true], ["proxmox API reachable", true], ["proxmox token", true], ["proxmox template", true], ["proxmox nodes", true], ["proxmox VMID range", true]],
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
        JSON.stringify({ backend: "nspawn", storage: { driver: "dir" }, proxmox: { url: fake.url, tokenId: fake.tokenId, tokenSecretFile: "pve-token", tls: { fingerprint: fake.fingerprint }, template: 9000 } }),
      );
      const result = await run(["ctl", "list", "--json"], { VOXNIX_CONFIG: join(dir, "voxnix.json"), VOXNIX_STATE_DIR: join(dir, "state"), HOME: dir });
      const listed = JSON.parse(result.stdout) as { result: { unmanaged?: { name: string; state: string }[] } };
      assert.deepEqual(listed.result.unmanaged?.filter((entry) => entry.name === "legacy"), [{ name: "legacy", state: "running" }], result.stderr);
      assert.ok(fake.requests.every((request) => request.method === "GET"), "listing changed nothing");
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
