/**
 * The definitions file: validated before anything runs, with every problem pointing at the
 * file's line and the field; hostile or sloppy files (unknown keys, bad sizes, duplicate
 * names, YAML aliases, wrong owners) are refused. The age recipient of an ssh-ed25519 key
 * matches ssh-to-age's published output, and the install command's placeholders only fill in.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { ageRecipientOf } from "../../../src/domain/age-recipient.js";
import { parseDefinitions, vmInputOf } from "../../../src/fleet/definitions.js";
import { installArgv } from "../../../src/fleet/fleet-steps.js";
import { planDefinitions, renderDefinitionsPlan } from "../../../src/fleet/plan.js";
import type { ListResult, WorkloadView } from "../../../src/core/api.js";
import { validateVmSpec } from "../../../src/domain/vm-spec.js";

function issuesOf(text: string): string[] {
  try {
    parseDefinitions(text, "vms.yaml");
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    return error.issues.map((issue) => issue.message);
  }
  assert.fail("the file was accepted");
}

void describe("the definitions file", () => {
  void it("reads managed and imported VMs with their lines and turns entries into core input", () => {
    const definitions = parseDefinitions(
      [
        "vms:",
        "  - name: lab",
        '    owner: "telegram:42"',
        "    cpus: 2",
        "    memory: 2G",
        "    node: pve2",
        "    tags: [web]",
        "imported:",
        "  - { name: legacy, vmid: 120 }",
      ].join("\n"),
      "vms.yaml",
    );
    assert.equal(definitions.vms[0]?.line, 2);
    assert.equal(definitions.imported[0]?.line, 9);
    assert.equal(definitions.imported[0]?.allowPowerControl, false, "start and stop are off unless the entry says so");
    const allowed = parseDefinitions(
      'imported:\n  - { name: legacy, vmid: 120, owner: "telegram:42", allowPowerControl: true }\n',
      "vms.yaml",
    );
    assert.equal(allowed.imported[0]?.allowPowerControl, true);
    assert.match(
      issuesOf("imported:\n  - { name: legacy, vmid: 120, allowPowerControl: yes please }").join(" "),
      /vms\.yaml:2: imported\.0\.allowPowerControl/,
    );
    assert.deepEqual(vmInputOf(definitions.vms[0]), {
      kind: "vm",
      name: "lab",
      cpus: 2,
      memory: 2 * 1024 ** 3,
      sshKeys: [],
      cluster: { node: "pve2", tags: ["web"] },
    });
  });

  void it("points each problem at its line and field", () => {
    const issues = issuesOf(
      [
        "vms:",
        "  - name: lab",
        '    owner: "telegram:42"',
        "    memroy: 2G",
        "  - name: ok",
        '    owner: "telegram:42"',
        "    memory: lots",
      ].join("\n"),
    );
    assert.ok(
      issues.some((message) => /^vms\.yaml:2: vms\.0: .*\(memroy\)$/.test(message)),
      issues.join("\n"),
    );
    assert.ok(
      issues.some((message) => /^vms\.yaml:7: vms\.1\.memory: "lots" is not a size/.test(message)),
      issues.join("\n"),
    );
  });

  void it("refuses bad names, owners and tags, duplicates, YAML errors and aliases", () => {
    assert.match(issuesOf('vms:\n  - { name: "../etc", owner: "telegram:42" }').join(" "), /vms\.yaml:2: vms\.0\.name/);
    assert.match(
      issuesOf('vms:\n  - { name: lab, owner: "root" }').join(" "),
      /vms\.yaml:2: vms\.0\.owner: A user id looks like/,
    );
    assert.match(
      issuesOf('vms:\n  - { name: lab, owner: "telegram:1", tags: ["a;b"] }').join(" "),
      /vms\.0\.tags\.0: must be a Proxmox tag/,
    );
    assert.match(
      issuesOf('vms:\n  - { name: lab, owner: "telegram:1" }\nimported:\n  - { name: lab, vmid: 120 }').join(" "),
      /vms\.yaml:4: "lab" is already defined on line 2/,
    );
    assert.match(issuesOf("vms: [\n  {name: lab").join(" "), /vms\.yaml:\d+: not valid YAML/);
    assert.match(
      issuesOf('base: &b { name: lab, owner: "telegram:1" }\nvms: [*b]').join(" "),
      /anchors and aliases .* are not accepted/,
    );
    assert.match(issuesOf('vms:\n  - { name: lab, owner: "telegram:1", nixos: "yes" }').join(" "), /vms\.0\.nixos/);
    assert.match(
      issuesOf('vms:\n  - { name: lab, owner: "telegram:1", secrets: [/etc/x.age] }').join(" "),
      /vms\.yaml:2: vms\.0\.secrets: .*only with nixos: true/,
    );
  });

  void it("derives the age recipient of an ssh-ed25519 key as ssh-to-age does", () => {
    // Published ssh-to-age output (pinpox/pgp2ssh README).
    assert.equal(
      ageRecipientOf(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYvKXGcG4a19tTT0Rycbn+D0r/YlKltLJ9dY2gR/Fjx openpgp:0x47C9F3FF",
      ),
      "age18s8m9hvlrwvltgys4lafyyqe356ntc7e06t4kd2nccqm5amsaa2s878mju",
    );
    assert.throws(() => ageRecipientOf("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ"), /Only ssh-ed25519/);
    assert.throws(() => ageRecipientOf("ssh-ed25519 AAAA"), /malformed/);
  });

  void it("fills the install command's placeholders without splitting or adding arguments", () => {
    assert.deepEqual(
      installArgv(["nixos-anywhere", "--flake", ".#{name}", "{user}@{address}", "{other}"], {
        name: "lab",
        address: "10.0.0.5",
        user: "root",
      }),
      ["nixos-anywhere", "--flake", ".#lab", "root@10.0.0.5", "{other}"],
    );
  });

  void it("plans: create, unchanged, differs, conflicts, imported and unlisted VMs", () => {
    const definitions = parseDefinitions(
      [
        "vms:",
        '  - { name: new, owner: "telegram:1" }',
        '  - { name: same, owner: "telegram:1", cpus: 1 }',
        '  - { name: bigger, owner: "telegram:1", cpus: 2 }',
        '  - { name: theirs, owner: "telegram:1" }',
        "imported:",
        "  - { name: legacy, vmid: 120 }",
        "  - { name: gone, vmid: 121 }",
      ].join("\n"),
      "vms.yaml",
    );
    const vm = (name: string, owner: string): WorkloadView =>
      ({
        name,
        owner,
        kind: "container",
        backend: "proxmox",
        status: "ready",
        desired: "running",
        live: "running",
        addresses: [],
        spec: validateVmSpec({ name, cpus: 1 }),
        createdAt: new Date(0),
      }) as WorkloadView;
    const listing: ListResult = {
      workloads: [
        vm("same", "telegram:1"),
        vm("bigger", "telegram:1"),
        vm("theirs", "telegram:2"),
        vm("chat", "telegram:3"),
      ],
      unmanaged: [{ name: "legacy", state: "running" }],
    };
    const plan = planDefinitions(definitions, listing);
    assert.deepEqual(
      plan.steps.map((step) => step.action + ":" + step.name),
      [
        "create:new",
        "unchanged:same",
        "differs:bigger",
        "conflict:theirs",
        "imported:legacy",
        "imported:gone",
        "unlisted:chat",
      ],
    );
    const text = renderDefinitionsPlan(plan).join("\n");
    assert.match(text, /differs  bigger .*cpus 1 → 2; left alone/);
    assert.match(text, /imported legacy \(VMID 120\): imported, read-only\n/);
    assert.match(text, /imported gone \(VMID 121\): imported, read-only; not found in the cluster/);
    assert.match(text, /unlisted chat \(telegram:3\): not in the file; left alone/);
    assert.match(text, /1 conflict\(s\): apply will refuse/);
  });
});
