/** Wire details: UPIDs, the sshkeys encoding Proxmox expects, disk sizes, and the config keys. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configSchema } from "../../../../src/app/config-schema.js";
import { decodeSshKeys, encodeSshKeys } from "../../../../src/runtimes/proxmox/cloud-init.js";
import { diskSizeBytes } from "../../../../src/runtimes/proxmox/create-vm.js";
import { normaliseFingerprint } from "../../../../src/runtimes/proxmox/fingerprint.js";
import { proxmoxSettings } from "../../../../src/runtimes/proxmox/settings.js";
import { formatUpid, parseUpid } from "../../../../src/runtimes/proxmox/upid.js";

void describe("proxmox wire formats", () => {
  void it("parses a UPID and finds its node", () => {
    const upid = "UPID:pve2:0003A4B1:01F2C3D4:6749A1B2:qmclone:9000:voxnix@pve!voxnix:";
    assert.deepEqual(parseUpid(upid), {
      raw: upid,
      node: "pve2",
      type: "qmclone",
      id: "9000",
      user: "voxnix@pve!voxnix",
      startTime: 0x6749a1b2,
    });
    assert.equal(
      parseUpid(
        formatUpid({ node: "pve1", pid: 1, pstart: 2, startTime: 3, type: "qmstart", id: "100", user: "root@pam" }),
      )?.node,
      "pve1",
    );
    for (const bad of [
      "",
      "UPID:pve1",
      "UPID:pve1:1:2:3:qmstart:100:root@pam:",
      `${upid}\n`,
      "UPID:../x:0003A4B1:01F2C3D4:6749A1B2:qmclone:9000:u@pve:",
    ])
      assert.equal(parseUpid(bad), undefined, bad);
  });

  void it("percent-encodes SSH keys as uri_escape does, newline-separated", () => {
    const keys = ["ssh-ed25519 AAAAC3Nza+/= a(b)c*d!e'f", "ssh-rsa AAAAB3 x"];
    const encoded = encodeSshKeys(keys);
    assert.equal(encoded, "ssh-ed25519%20AAAAC3Nza%2B%2F%3D%20a%28b%29c%2Ad%21e%27f%0Assh-rsa%20AAAAB3%20x");
    assert.deepEqual(decodeSshKeys(encoded), keys);
  });

  void it("reads drive sizes", () => {
    assert.equal(diskSizeBytes("local-lvm:vm-100-disk-0,size=32G"), 32 * 1024 ** 3);
    assert.equal(diskSizeBytes("local:100/vm-100-disk-0.qcow2,cache=writeback,size=2560M,ssd=1"), 2560 * 1024 ** 2);
    assert.equal(diskSizeBytes("local-lvm:vm-100-disk-0"), undefined);
  });

  void it("normalises fingerprints", () => {
    const hex = "ab".repeat(32);
    assert.equal(normaliseFingerprint(hex), Array(32).fill("AB").join(":"));
    assert.equal(normaliseFingerprint(Array(32).fill("ab").join(":")), Array(32).fill("AB").join(":"));
    assert.equal(normaliseFingerprint("ab".repeat(31)), undefined);
  });

  void it("proxmox.* config: off by default; url needs token and template; https only; one trust anchor", () => {
    assert.equal(proxmoxSettings(configSchema.parse({})), undefined);
    const base = {
      url: "https://pve1.lan:8006",
      tokenId: "voxnix@pve!voxnix",
      tokenSecretFile: "/run/agenix/pve",
      template: 9000,
    };
    const settings = proxmoxSettings(configSchema.parse({ proxmox: base }))!;
    assert.deepEqual(settings.vmidRange, { first: 10_000, last: 10_999 });
    assert.equal(settings.placement, "most-free-memory");
    const problems = (proxmox: unknown) => {
      const parsed = configSchema.safeParse({ proxmox });
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    };
    assert.deepEqual(problems({ url: base.url }), [
      "proxmox.tokenId: is required when proxmox.url is set.",
      "proxmox.tokenSecretFile: is required when proxmox.url is set.",
      "proxmox.template: is required when proxmox.url is set.",
    ]);
    assert.match(problems({ ...base, url: "http://pve1.lan:8006" }).join(), /must be an https:\/\/ URL/);
    assert.match(problems({ ...base, tokenId: "root@pam" }).join(), /user@realm!tokenid/);
    assert.match(problems({ ...base, tls: { caFile: "/x", fingerprint: "ab".repeat(32) } }).join(), /not both/);
    assert.match(problems({ ...base, tls: { fingerprint: "nope" } }).join(), /not a SHA-256 fingerprint/);
    assert.match(problems({ ...base, vmidRange: { first: 500, last: 400 } }).join(), /first must not be above last/);
    assert.match(problems({ ...base, tokenSecret: "abc" }).join(), /Unrecognized key/i);
  });
});
