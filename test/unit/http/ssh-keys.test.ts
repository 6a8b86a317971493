/**
 * SSH keys over the HTTP API (what the dashboard's key card uses): a person lists, adds and
 * removes their own keys; a key registered to anyone is refused for everyone else with an
 * answer that names no one; a private key or garbage is invalid input with the CLI's error
 * body and changes nothing; `?user=` reaches someone else's keys for an admin only; the body
 * cannot say whose key it is; a registered key logs its owner in at the gateway.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TEST_USERS } from "../../fakes/core-harness.js";
import { ED25519, ED25519_FINGERPRINT, RSA_2048 } from "../../fakes/fixture-ssh-keys.js";
import { createHttpHarness, type HttpAnswer } from "../../fakes/http-harness.js";

interface Key {
  readonly fingerprint: string;
  readonly userId: string;
  readonly comment?: string;
}
const key = (answer: HttpAnswer) => answer.json.result as Key;
const keys = (answer: HttpAnswer) => answer.json.result as Key[];
const kind = (answer: HttpAnswer) => answer.json.error?.kind;

const PRIVATE_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ\n-----END OPENSSH PRIVATE KEY-----\n";

void describe("SSH keys over the API", () => {
  void it("lists, adds and removes your own keys", async () => {
    const h = await createHttpHarness();
    assert.deepEqual((await h.call("owner", "GET", "/api/v1/ssh-keys")).json.result, []);
    const added = await h.call("owner", "POST", "/api/v1/ssh-keys", { publicKey: ED25519 });
    assert.equal(added.status, 201);
    assert.equal(key(added).fingerprint, ED25519_FINGERPRINT);
    assert.equal(key(added).userId, TEST_USERS.alice);
    assert.equal(key(added).comment, "alice@laptop");
    assert.equal(
      JSON.stringify(added.json).includes("AAAAC3NzaC1lZDI1NTE5"),
      false,
      "the key itself is not echoed, only its public facts",
    );
    const listed = await h.call("owner", "GET", "/api/v1/ssh-keys");
    assert.deepEqual(
      keys(listed).map((entry) => entry.fingerprint),
      [ED25519_FINGERPRINT],
    );
    // The key now names alice at the gateway, and only her.
    assert.deepEqual(h.core.authenticateSshKey(Buffer.from(ED25519.split(" ")[1]!, "base64")), {
      userId: TEST_USERS.alice,
    });
    // bob sees none of it.
    assert.deepEqual((await h.call("other", "GET", "/api/v1/ssh-keys")).json.result, []);
    const removed = await h.call(
      "owner",
      "DELETE",
      `/api/v1/ssh-keys?fingerprint=${encodeURIComponent(ED25519_FINGERPRINT)}`,
    );
    assert.equal(removed.status, 200);
    assert.deepEqual((await h.call("owner", "GET", "/api/v1/ssh-keys")).json.result, []);
    assert.equal(h.core.authenticateSshKey(Buffer.from(ED25519.split(" ")[1]!, "base64")), undefined);
  });

  void it("a key registered to one person is refused for another, naming no one; bob cannot remove alice's key", async () => {
    const h = await createHttpHarness();
    assert.equal((await h.call("owner", "POST", "/api/v1/ssh-keys", { publicKey: ED25519 })).status, 201);
    const taken = await h.call("other", "POST", "/api/v1/ssh-keys", { publicKey: ED25519 });
    assert.equal(taken.status, 409);
    assert.equal(kind(taken), "conflict");
    assert.doesNotMatch(JSON.stringify(taken.json), /alice|telegram:/);
    const theirs = await h.call(
      "other",
      "DELETE",
      `/api/v1/ssh-keys?fingerprint=${encodeURIComponent(ED25519_FINGERPRINT)}`,
    );
    assert.equal(theirs.status, 404);
    assert.deepEqual(h.core.authenticateSshKey(Buffer.from(ED25519.split(" ")[1]!, "base64")), {
      userId: TEST_USERS.alice,
    });
  });

  void it("a private key, garbage or a body naming an owner is refused with the CLI's error body and changes nothing", async () => {
    const h = await createHttpHarness();
    for (const body of [
      { publicKey: PRIVATE_KEY },
      { publicKey: "not a key" },
      { publicKey: ED25519, userId: TEST_USERS.bob },
      { publicKey: 42 },
    ]) {
      const answer = await h.call("owner", "POST", "/api/v1/ssh-keys", body);
      assert.equal(answer.status, 422, JSON.stringify(body));
      assert.equal(answer.json.ok, false);
      assert.equal(kind(answer), "invalid-input");
      assert.ok(Array.isArray(answer.json.error?.issues));
      assert.doesNotMatch(JSON.stringify(answer.json), /PRIVATE KEY/, "the private key is not echoed back");
    }
    assert.deepEqual((await h.call("owner", "GET", "/api/v1/ssh-keys")).json.result, []);
    assert.deepEqual((await h.call("other", "GET", "/api/v1/ssh-keys")).json.result, []);
  });

  void it("?user= reaches someone else's keys for an admin only", async () => {
    const h = await createHttpHarness();
    const forBob = await h.call("admin", "POST", `/api/v1/ssh-keys?user=${encodeURIComponent(TEST_USERS.bob)}`, {
      publicKey: RSA_2048,
    });
    assert.equal(forBob.status, 201);
    assert.equal(key(forBob).userId, TEST_USERS.bob);
    const bobs = await h.call("other", "GET", "/api/v1/ssh-keys");
    assert.equal(keys(bobs).length, 1);
    for (const [method, path] of [
      ["GET", `/api/v1/ssh-keys?user=${encodeURIComponent(TEST_USERS.bob)}`],
      ["POST", `/api/v1/ssh-keys?user=${encodeURIComponent(TEST_USERS.bob)}`],
      [
        "DELETE",
        `/api/v1/ssh-keys?user=${encodeURIComponent(TEST_USERS.bob)}&fingerprint=${encodeURIComponent(key(forBob).fingerprint)}`,
      ],
      ["GET", "/api/v1/ssh-keys?all=true"],
    ] as const) {
      const answer = await h.call("owner", method, path, method === "POST" ? { publicKey: ED25519 } : undefined);
      assert.equal(answer.status, 403, `${method} ${path}`);
    }
    assert.equal(keys(await h.call("other", "GET", "/api/v1/ssh-keys")).length, 1, "bob's key is still there");
    const everyone = await h.call("admin", "GET", "/api/v1/ssh-keys?all=true");
    assert.equal(keys(everyone).length, 1);
    const removed = await h.call(
      "admin",
      "DELETE",
      `/api/v1/ssh-keys?user=${encodeURIComponent(TEST_USERS.bob)}&fingerprint=${encodeURIComponent(key(forBob).fingerprint)}`,
    );
    assert.equal(removed.status, 200);
  });
});
