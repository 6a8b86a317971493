/**
 * SSH public key validation: accepted types with the fingerprints ssh-keygen prints, and every
 * way a pasted "key" can be wrong, with messages that never echo the input.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatSshPublicKey,
  isSshFingerprint,
  parseSshPublicKey,
  sshFingerprint,
} from "../../../src/domain/ssh-keys.js";

import {
  ECDSA,
  ED25519,
  ED25519_FINGERPRINT,
  RSA_1024,
  RSA_2048,
  RSA_2048_FINGERPRINT,
} from "../../fakes/fixture-ssh-keys.js";

function refused(input: unknown): string {
  const result = parseSshPublicKey(input);
  assert.equal(result.ok, false, `expected a refusal for ${String(input).slice(0, 40)}`);
  return result.ok ? "" : result.message;
}

void describe("parseSshPublicKey", () => {
  void it("accepts Ed25519 with the fingerprint ssh-keygen prints, and keeps the comment", () => {
    const result = parseSshPublicKey(`${ED25519}\n`);
    assert.ok(result.ok);
    assert.equal(result.key.algorithm, "ssh-ed25519");
    assert.equal(result.key.fingerprint, ED25519_FINGERPRINT);
    assert.equal(result.key.bits, 256);
    assert.equal(result.key.comment, "alice@laptop");
    assert.equal(formatSshPublicKey(result.key), ED25519.replace(/ alice@laptop$/, ""));
    assert.ok(isSshFingerprint(result.key.fingerprint));
  });

  void it("accepts ECDSA P-256 without a comment and RSA of 2048 bits", () => {
    const ecdsa = parseSshPublicKey(ECDSA);
    assert.ok(ecdsa.ok);
    assert.equal(ecdsa.key.bits, 256);
    assert.equal(ecdsa.key.comment, undefined);
    const rsa = parseSshPublicKey(RSA_2048);
    assert.ok(rsa.ok);
    assert.equal(rsa.key.bits, 2048);
    assert.equal(rsa.key.fingerprint, RSA_2048_FINGERPRINT);
  });

  void it("refuses RSA below 2048 bits, DSA and security keys with a way forward", () => {
    assert.match(refused(RSA_1024), /at least 2048 bits \(this one has 1024\)/);
    assert.match(refused("ssh-dss AAAAB3NzaC1kc3MAAACBAP"), /DSA keys are no longer safe/);
    assert.match(refused("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t"), /Security-key/);
  });

  void it("recognises a private key and never repeats it", () => {
    const privateKey =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
    const message = refused(privateKey);
    assert.match(message, /private key: never share it/);
    assert.doesNotMatch(message, /b3BlbnNzaC1rZXkt/);
  });

  void it("refuses two keys, options before the key, a type mismatch, damaged data and trailing bytes", () => {
    assert.match(refused(`${ED25519}\n${RSA_2048}`), /exactly one key/);
    assert.match(refused(`command="rm -rf /" ${ED25519}`), /Supported key types/);
    const [, ed25519Data] = ED25519.split(" ");
    const [, rsaData] = RSA_2048.split(" ");
    assert.match(refused(`ssh-ed25519 ${rsaData}`), /does not match its type/);
    assert.match(refused("ssh-ed25519 AAAA!!!"), /not valid base64/);
    const blob = Buffer.from(ed25519Data!, "base64");
    assert.match(refused(`ssh-ed25519 ${blob.subarray(0, blob.length - 4).toString("base64")}`), /damaged/);
    assert.match(
      refused(`ssh-ed25519 ${Buffer.concat([blob, Buffer.from([0, 0, 0, 0])]).toString("base64")}`),
      /damaged/,
    );
  });

  void it("refuses empty, non-string, oversized input and comments with control characters", () => {
    for (const input of [undefined, null, 42, {}, "", "   "]) assert.match(refused(input), /public key line/);
    assert.match(refused(`ssh-ed25519 ${"A".repeat(9000)}`), /too long/);
    assert.match(refused(`${ED25519}\u001b[31m`), /printable ASCII/);
    assert.match(refused(`${ED25519} ${"x".repeat(101)}`), /comment is too long/);
  });

  void it("computes fingerprints as OpenSSH does and recognises their shape", () => {
    const blob = Buffer.from(ED25519.split(" ")[1]!, "base64");
    assert.equal(sshFingerprint(blob), ED25519_FINGERPRINT);
    assert.equal(isSshFingerprint("SHA256:short"), false);
    assert.equal(isSshFingerprint(`MD5:${"a".repeat(43)}`), false);
  });
});
