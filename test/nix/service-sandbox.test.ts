/**
 * The voxnix unit's sandbox (nix/host/service-sandbox.nix), evaluated without nixpkgs: it
 * must never give the service its own mount namespace, or `zfs create`/`mount` of a workspace
 * would stay inside it and containers would get an empty /workspace.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MOUNT_NAMESPACE_SETTINGS } from "./mount-namespace.js";
import { evalJson, nixString, repoRoot } from "./nix.js";

void describe("the voxnix unit's sandbox", () => {
  const sandbox = evalJson(`import ${nixString(join(repoRoot, "nix", "host", "service-sandbox.nix"))}`) as Record<string, unknown>;

  void it("has no setting that creates a mount namespace (or a device allow-list)", () => {
    const offending = MOUNT_NAMESPACE_SETTINGS.filter((setting) => setting in sandbox);
    assert.deepEqual(offending, []);
  });

  void it("keeps the limits that need no namespace", () => {
    assert.equal(sandbox.NoNewPrivileges, true);
    assert.equal(sandbox.RestrictSUIDSGID, true);
    assert.equal(sandbox.LockPersonality, true);
    assert.deepEqual(sandbox.SystemCallFilter, ["~@clock"]);
    assert.equal(sandbox.UMask, "0077");
  });
});
