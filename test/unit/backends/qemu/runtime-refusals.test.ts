/**
 * The QEMU runtime refuses hostile specs before any host command and never follows a link
 * in a VM's folder (adversarial; a fake runner records that nothing ran).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { configSchema } from "../../../../src/app/config-schema.js";
import { createQemuRuntime } from "../../../../src/runtimes/qemu/index.js";
import type { WorkloadName } from "../../../../src/domain/names.js";
import { validateVmSpec, type VmSpec } from "../../../../src/domain/vm-spec.js";
import { FakeCommandRunner } from "../../../fakes/fake-command-runner.js";
import { FakeLogger } from "../../../fakes/fake-logger.js";
import { directoryDiskVolumes } from "../../../../src/backends/storage/directory-disks.js";

const stateDir = mkdtempSync(path.join(tmpdir(), "vx-vm-unit-"));
after(() => rmSync(stateDir, { recursive: true, force: true }));

function runtime() {
  const runner = new FakeCommandRunner();
  const config = configSchema.parse({ vm: { runAs: "" } });
  const leases = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
  const rt = createQemuRuntime({
    config,
    stateDir,
    runner,
    logger: new FakeLogger(),
    clock: { now: () => new Date() },
    leases,
    catalog: { list: () => [], get: () => undefined },
    diskVolumes: (request) => directoryDiskVolumes(runner, request.at!),
  });
  return { runner, rt };
}

const good: VmSpec = validateVmSpec({ name: "lab", cpus: 1, memory: "512M", disk: "4G", workspace: "1G" });
const noop = () => undefined;

void describe("QEMU runtime refusals", () => {
  void it("refuses hostile names, sizes and keys before any host command", async () => {
    const hostile: Record<string, unknown>[] = [
      { ...good, name: "../../etc" },
      { ...good, name: "a,file=/etc/shadow" },
      { ...good, name: "lab\n" },
      { ...good, cpus: 1000 },
      { ...good, cpus: 0.5 },
      { ...good, memoryBytes: -1 },
      { ...good, memoryBytes: 1024 ** 5 },
      { ...good, diskBytes: 1024 },
      { ...good, workspaceBytes: Number.NaN },
      { ...good, sshKeys: ['command="sh" ssh-ed25519 AAAA'] },
      {
        ...good,
        sshKeys: [
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAQNeryQIXgoPUZ5KhKs5WeumMsThhIYHTvfcPPnrdw8\nssh-rsa AAAA evil",
        ],
      },
    ];
    const { runner, rt } = runtime();
    for (const spec of hostile) {
      await assert.rejects(
        rt.create(spec as unknown as VmSpec, { ownerLabel: "x", onProgress: noop }),
        (error: Error & { kind?: string }) => error.kind === "invalid-input",
        JSON.stringify(spec),
      );
    }
    assert.deepEqual(runner.calls, []);
    assert.equal(existsSync(path.join(stateDir, "vm")), false);
  });

  void it("an unknown VM is not found for every per-VM query, and list ignores folders that are not VMs", async () => {
    const { runner, rt } = runtime();
    await assert.rejects(
      rt.exec("nope" as WorkloadName, ["id"], { timeoutMs: 1000 }),
      (error: Error & { kind?: string }) => error.kind === "not-found",
    );
    await assert.rejects(
      rt.logs("nope" as WorkloadName, { lines: 10 }),
      (error: Error & { kind?: string }) => error.kind === "not-found",
    );
    assert.equal(await rt.show("nope" as WorkloadName), undefined);
    mkdirSync(path.join(rt.paths.machines, "..evil"), { recursive: true });
    mkdirSync(path.join(rt.paths.machines, "half"), { recursive: true });
    assert.deepEqual(await rt.list(), []);
    assert.deepEqual(runner.calls, []);
  });

  void it("logs refuse a console log replaced by a link to a host file", async () => {
    const { rt } = runtime();
    const dir = path.join(rt.paths.machines, "linked");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "vm.json"),
      JSON.stringify({ spec: { ...good, name: "linked" }, sshPort: 40000, workspace: path.join(dir, "workspace.img") }),
    );
    const secret = path.join(stateDir, "secret");
    writeFileSync(secret, "host secret\n");
    symlinkSync(secret, path.join(dir, "console.log"));
    await assert.rejects(rt.logs("linked" as WorkloadName, { lines: 10 }), /link/);
    assert.deepEqual(
      (await rt.list()).map((vm) => [vm.name, vm.state]),
      [["linked", "stopped"]],
    );
    await rt.destroy("linked" as WorkloadName, { onProgress: noop });
    assert.deepEqual(readdirSync(rt.paths.machines).sort(), ["..evil", "half"]);
    assert.equal(existsSync(secret), true, "destroy removes the link, never its target");
  });
});
