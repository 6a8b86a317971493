/**
 * Containers are isolated from each other on the appliance's bridge
 * (nix/host/appliance/bridge-isolation.nix), evaluated without nixpkgs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { evalJson, nixString, repoRoot } from "./nix.js";

interface Isolation {
  tableName: string;
  portPattern: string;
  nftRules: string;
  iptablesStart: string;
  iptablesStop: string;
}

const isolation = evalJson(`import ${nixString(join(repoRoot, "nix", "host", "appliance", "bridge-isolation.nix"))} { bridge = "br-vox"; }`) as Isolation;

void describe("bridge isolation", () => {
  void it("drops bridged frames between any two container ports (nixos-container's vb-<name>)", () => {
    assert.equal(isolation.portPattern, "vb-*");
    assert.match(isolation.nftRules, /table bridge voxnix_isolation \{/);
    assert.match(isolation.nftRules, /type filter hook forward priority 0; policy accept;/);
    assert.match(isolation.nftRules, /iifname "vb-\*" oifname "vb-\*" drop/);
  });

  void it("replaces the table on every load (idempotent nft -f)", () => {
    const lines = isolation.nftRules.trim().split("\n").map((line) => line.trim());
    assert.deepEqual(lines.slice(0, 2), ["table bridge voxnix_isolation", "delete table bridge voxnix_isolation"]);
  });

  void it("drops routing from the bridge back onto it, and removes exactly that rule on stop", () => {
    assert.equal(isolation.iptablesStart.trim(), "iptables -I FORWARD -i br-vox -o br-vox -j DROP");
    assert.equal(isolation.iptablesStop.trim(), "iptables -D FORWARD -i br-vox -o br-vox -j DROP 2>/dev/null || true");
  });
});
