/**
 * `voxnix doctor` through the assembled application: with `proxmox.*` in the configuration
 * file (secret in its own file, certificate pinned by fingerprint), the core's doctor reports
 * the Proxmox checks next to the backend's; a refused token shows as a failed check.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApp } from "../../../src/app/create-app.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import { startFakeProxmoxServer } from "../../fakes/fake-proxmox-server.js";

void describe("voxnix doctor with Proxmox configured", () => {
  void it("reports reachability, the token and the template; a wrong secret fails the token check", async () => {
    const fake = await startFakeProxmoxServer();
    const dir = mkdtempSync(join(tmpdir(), "voxnix-pve-app-"));
    try {
      writeFileSync(join(dir, "pve-token"), fake.tokenSecret, { mode: 0o400 });
      const configFile = join(dir, "voxnix.yaml");
      writeFileSync(
        configFile,
        [
          "backend: nixos",
          "storage: { driver: dir }",
          "proxmox:",
          `  url: ${fake.url}`,
          `  tokenId: "${fake.tokenId}"`,
          "  tokenSecretFile: pve-token",
          `  tls: { fingerprint: "${fake.fingerprint}" }`,
          "  template: 9000",
        ].join("\n"),
      );
      const logger = new FakeLogger();
      const env = { VOXNIX_CONFIG: configFile, VOXNIX_STATE_DIR: join(dir, "state") };
      const app = await createApp({ env, logger, runner: new FakeCommandRunner() });
      try {
        const report = await app.core.doctor({ userId: "local:admin" });
        const proxmox = Object.fromEntries(
          report.checks.filter((check) => check.name.startsWith("proxmox")).map((check) => [check.name, check.ok]),
        );
        assert.deepEqual(proxmox, {
          "proxmox token secret file": true,
          "proxmox API reachable": true,
          "proxmox token": true,
          "proxmox template": true,
          "proxmox nodes": true,
          "proxmox VMID range": true,
        });
      } finally {
        await app.close();
      }

      writeFileSync(join(dir, "pve-token"), "not-the-secret", { mode: 0o400 });
      const refused = await createApp({ env, logger, runner: new FakeCommandRunner() });
      try {
        const report = await refused.core.doctor({ userId: "local:admin" });
        const token = report.checks.find((check) => check.name === "proxmox token");
        assert.equal(token?.ok, false);
        assert.match(token?.detail ?? "", /HTTP 401/);
      } finally {
        await refused.close();
      }
      assert.ok(!JSON.stringify(logger.records).includes(fake.tokenSecret));
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
