/**
 * `voxnix users key` (also spelled `users ssh-key`, as issue 10 names it): an admin adds a
 * key for someone from a file, lists it by fingerprint, and removes it; a private key file
 * is refused and not echoed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ED25519, ED25519_FINGERPRINT } from "../../fakes/fixture-ssh-keys.js";
import { createCliHarness } from "./cli-harness.js";

void describe("voxnix users key / users ssh-key", () => {
  void it("adds from a file, lists and removes, under either name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxnix-keys-"));
    try {
      writeFileSync(join(dir, "id.pub"), `${ED25519}\n`);
      writeFileSync(
        join(dir, "id"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n",
      );
      const h = createCliHarness();
      const added = await h.cli("--json", "users", "ssh-key", "add", "telegram:42", join(dir, "id.pub"));
      assert.equal(added.code, 0, added.stderr);
      assert.equal(added.json().result.fingerprint, ED25519_FINGERPRINT);
      const listed = await h.cli("users", "key", "list", "telegram:42");
      assert.match(listed.stdout, new RegExp(ED25519_FINGERPRINT.replace(/[+/]/g, "\\$&")));
      const refused = await h.cli("users", "ssh-key", "add", "telegram:43", join(dir, "id"));
      assert.equal(refused.code, 2);
      assert.doesNotMatch(refused.stdout + refused.stderr, /BEGIN OPENSSH PRIVATE KEY/);
      const removed = await h.cli("users", "ssh-key", "remove", "telegram:42", ED25519_FINGERPRINT);
      assert.equal(removed.code, 0, removed.stderr);
      assert.doesNotMatch((await h.cli("users", "key", "list", "telegram:42")).stdout, /SHA256:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("add and remove --dry-run are the core's plans: the same checks, no key stored or removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "voxnix-keys-"));
    try {
      writeFileSync(join(dir, "id.pub"), `${ED25519}\n`);
      const h = createCliHarness();
      const keys = () => h.db.sqlite.prepare("SELECT * FROM ssh_keys").all();
      const add = await h.cli("--json", "--dry-run", "users", "key", "add", "telegram:42", join(dir, "id.pub"));
      assert.equal(add.code, 0, add.stderr);
      assert.deepEqual(
        { operation: add.json().result.operation, fingerprint: add.json().result.fingerprint },
        { operation: "addSshKey", fingerprint: ED25519_FINGERPRINT },
      );
      assert.deepEqual(keys(), []);
      // Like the real command: another user's key is for admins only (exit 1), a taken key a conflict (exit 1).
      const asUser = ["--as", "telegram:43", "--dry-run", "users", "key", "add", "telegram:42", join(dir, "id.pub")];
      assert.equal((await h.cli(...asUser)).code, 1);
      assert.equal((await h.cli("users", "key", "add", "telegram:42", join(dir, "id.pub"))).code, 0);
      const taken = await h.cli("--json", "--dry-run", "users", "key", "add", "telegram:43", join(dir, "id.pub"));
      assert.equal(taken.json().error.kind, "conflict");
      const before = keys();
      const remove = await h.cli("--json", "--dry-run", "users", "key", "remove", "telegram:42", ED25519_FINGERPRINT);
      assert.equal(remove.code, 0, remove.stderr);
      assert.equal(remove.json().result.operation, "removeSshKey");
      assert.equal((await h.cli("--dry-run", "users", "key", "remove", "telegram:43", ED25519_FINGERPRINT)).code, 3);
      assert.deepEqual(keys(), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
