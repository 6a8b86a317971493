/** VM spec validation: defaults, limits, SSH keys, and hostile input refused with every problem listed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../../../src/domain/errors.js";
import {
  DEFAULT_VM_POLICY,
  describeSshKeyProblem,
  specInput,
  validateVmSpec,
  VM_MINIMUMS,
} from "../../../src/domain/vm-spec.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
// A real ed25519 public key (ssh-keygen), and the same data under the wrong type name.
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAQNeryQIXgoPUZ5KhKs5WeumMsThhIYHTvfcPPnrdw8 me@laptop";
const MISLABELLED = KEY.replace(/^ssh-ed25519/, "ssh-rsa");

function issues(input: unknown): { path: string; message: string }[] {
  try {
    validateVmSpec(input);
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    return error.issues.map((issue) => ({ ...issue }));
  }
  return assert.fail("expected InvalidInputError");
}

void describe("VM specs", () => {
  void it("fills the policy's defaults", () => {
    const spec = validateVmSpec({ name: "lab" });
    assert.deepEqual(spec, {
      kind: "vm",
      name: "lab",
      // The fields every workload spec has, filled from the VM's own values.
      modules: [],
      moduleOptions: {},
      workspace: { enabled: true, sizeBytes: GiB },
      resources: { cpus: 1, memoryBytes: 512 * MiB, pids: 0 },
      remoteAccess: false,
      cpus: 1,
      memoryBytes: 512 * MiB,
      diskBytes: 4 * GiB,
      workspaceBytes: GiB,
      sshKeys: [],
    });
  });

  void it("reads sizes written as people write them", () => {
    const spec = validateVmSpec({ name: "lab", cpus: 2, memory: "2G", disk: "10G", workspace: "512M", sshKeys: [KEY] });
    assert.equal(spec.memoryBytes, 2 * GiB);
    assert.equal(spec.diskBytes, 10 * GiB);
    assert.equal(spec.workspaceBytes, 512 * MiB);
    assert.deepEqual(spec.sshKeys, [KEY]);
  });

  void it("round-trips through specInput", () => {
    const spec = validateVmSpec({ name: "lab", cpus: 2, memory: "1G", sshKeys: [KEY] });
    assert.deepEqual(validateVmSpec(specInput(spec)), spec);
  });

  void it("refuses hostile names before anything else", () => {
    for (const name of ["../etc", "a,b", "lab\n", "-rf", "x".repeat(12), "", "LAB", "host", "a b", "lab;reboot"]) {
      const [issue] = issues({ name });
      assert.equal(issue?.path, "name", name);
    }
  });

  void it("lists every problem at once, with the field it concerns", () => {
    const found = issues({ name: "ok", cpus: 1.5, memory: "100M", disk: "1G", workspace: "1M" });
    assert.deepEqual(
      found.map((issue) => issue.path),
      ["cpus", "memory", "disk", "workspace"],
    );
    assert.match(found[1]?.message ?? "", /at least 256M/);
  });

  void it("keeps sizes within the policy and the absolute maxima", () => {
    assert.match(issues({ name: "ok", cpus: 5 })[0]?.message ?? "", /At most 4 of CPUs/);
    assert.match(issues({ name: "ok", memory: "40T" })[0]?.message ?? "", /At most 8G of memory/);
    assert.match(issues({ name: "ok", disk: "1P" })[0]?.message ?? "", /At most 64G of disk/);
    const generous = { ...DEFAULT_VM_POLICY, maxCpus: 1000, maxMemoryBytes: 1024 ** 5 };
    assert.throws(() => validateVmSpec({ name: "ok", cpus: 65 }, generous), /At most 64 of CPUs/);
    assert.throws(() => validateVmSpec({ name: "ok", memory: "300G" }, generous), /At most 256G of memory/);
  });

  void it("refuses sizes that are not whole MiB, negative or not sizes at all", () => {
    assert.equal(issues({ name: "ok", memory: 512 * MiB + 1 })[0]?.path, "memory");
    assert.ok(issues({ name: "ok", memory: -1 }).length > 0);
    assert.ok(issues({ name: "ok", disk: "lots" }).length > 0);
    assert.ok(issues({ name: "ok", cpus: Number.NaN }).length > 0);
    assert.ok(issues({ name: "ok", cpus: "2" }).length > 0);
  });

  void it("refuses unknown fields instead of ignoring them", () => {
    assert.ok(issues({ name: "ok", kernel: "/etc/shadow" }).length > 0);
  });

  void it("accepts real SSH keys and refuses anything that could add a second entry or options", () => {
    assert.equal(describeSshKeyProblem(KEY), undefined);
    for (const hostile of [
      `${KEY}\nssh-ed25519 AAAA attacker`,
      `command="/bin/sh" ${KEY}`,
      `from="*" ${KEY}`,
      "ssh-ed25519 not-base64!",
      MISLABELLED,
      "ssh-dss AAAAB3NzaC1kc3MAAACBAP== old",
      `${KEY} \u0007bell`,
      "",
    ]) {
      assert.notEqual(describeSshKeyProblem(hostile), undefined, JSON.stringify(hostile));
    }
    const found = issues({ name: "ok", sshKeys: [KEY, `${KEY}\r\nssh-rsa AAAA x`] });
    assert.equal(found[0]?.path, "sshKeys.1");
  });

  void it("caps the number of keys and drops duplicates", () => {
    assert.match(
      issues({ name: "ok", sshKeys: Array.from({ length: 17 }, () => KEY) })[0]?.message ?? "",
      /At most 16 SSH keys/,
    );
    assert.deepEqual(validateVmSpec({ name: "ok", sshKeys: [KEY, ` ${KEY} `] }).sshKeys, [KEY]);
  });

  void it("has minimums a Debian guest boots with", () => {
    assert.ok(VM_MINIMUMS.memoryBytes >= 256 * MiB);
    assert.ok(VM_MINIMUMS.diskBytes >= 2 * GiB);
  });
});
