/**
 * API tokens: created by admins only, shown once, stored only as SHA-256, listed without
 * secrets, revoked (then refused by the API), every step audited; the CLI commands in-process.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { API_TOKEN_PATTERN } from "../../../src/core/api-tokens.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createHttpHarness } from "../../fakes/http-harness.js";
import { createCliHarness } from "../cli/cli-harness.js";
import { outcome } from "../core/helpers.js";

const admin = actor(TEST_USERS.admin);

void describe("API tokens in the core", () => {
  void it("a created token is vx_ + 32 random bytes, stored only as its SHA-256, and authenticates as its user", async () => {
    const h = await createHttpHarness();
    const created = await h.core.createApiToken(admin, "web:carol");
    assert.match(created.token, API_TOKEN_PATTERN);
    assert.equal(Buffer.from(created.token.slice(3), "base64url").length, 32);
    const rows = h.db.sqlite.prepare("SELECT * FROM api_tokens").all() as Record<string, unknown>[];
    assert.ok(!JSON.stringify(rows).includes(created.token.slice(3)), "the secret is not stored");
    assert.ok(rows.some((row) => row.token_hash === createHash("sha256").update(created.token).digest("hex")));
    assert.deepEqual(h.core.authenticateToken(created.token), { userId: "web:carol" });
    // The new user is registered on first use and waits for approval like anyone else.
    assert.equal((await h.core.whoami(actor("web:carol"))).status, "pending");
    const answer = await h.app.request("/api/v1/workloads", { headers: { authorization: `Bearer ${created.token}` } });
    assert.equal(answer.status, 403);
  });

  void it("list never shows secrets; revoke refuses the token from the next request; revoking twice is a conflict", async () => {
    const h = await createHttpHarness();
    const created = await h.core.createApiToken(admin, TEST_USERS.bob);
    const listed = await h.core.listApiTokens(admin, TEST_USERS.bob);
    assert.ok(listed.some((token) => token.id === created.id));
    assert.ok(!JSON.stringify(listed).includes("vx_"));
    const headers = { authorization: `Bearer ${created.token}` };
    assert.equal((await h.app.request("/api/v1/whoami", { headers })).status, 200);
    const revoked = await h.core.revokeApiToken(admin, created.id);
    assert.ok(revoked.revokedAt);
    assert.equal((await h.app.request("/api/v1/whoami", { headers })).status, 401);
    assert.equal(h.core.authenticateToken(created.token), undefined);
    assert.equal(await outcome(h.core.revokeApiToken(admin, created.id)), "conflict:wrong-state");
    assert.equal(await outcome(h.core.revokeApiToken(admin, "tok_000000000000")), "not-found");
    assert.equal(await outcome(h.core.revokeApiToken(admin, "'; DROP TABLE api_tokens; --")), "invalid-input");
  });

  void it("only admins manage tokens, and every attempt is audited without the secret", async () => {
    const h = await createHttpHarness();
    const alice = actor(TEST_USERS.alice);
    assert.equal(await outcome(h.core.createApiToken(alice, TEST_USERS.alice)), "forbidden:admin-only");
    assert.equal(await outcome(h.core.listApiTokens(alice)), "forbidden:admin-only");
    const created = await h.core.createApiToken(admin, TEST_USERS.alice);
    const audit = h.db.sqlite
      .prepare("SELECT actor, operation, outcome, args_json FROM operations WHERE operation LIKE '%ApiToken'")
      .all() as { actor: string; operation: string; outcome: string }[];
    assert.ok(
      audit.some(
        (row) => row.actor === TEST_USERS.alice && row.operation === "createApiToken" && row.outcome === "error",
      ),
    );
    assert.ok(
      audit.some((row) => row.actor === TEST_USERS.admin && row.operation === "createApiToken" && row.outcome === "ok"),
    );
    assert.ok(!JSON.stringify(audit).includes(created.token));
    assert.equal(h.core.authenticateToken("vx_" + "A".repeat(43)), undefined);
    assert.equal(h.core.authenticateToken(""), undefined);
  });
});

void describe("voxnix users token (in-process)", () => {
  void it("create prints the token once; list shows it without the secret; revoke revokes it", async () => {
    const h = createCliHarness();
    const created = await h.cli("users", "token", "create", "web:dave", "--json");
    assert.equal(created.code, 0, created.stderr);
    const { token, id } = created.json().result as { token: string; id: string };
    assert.match(token, API_TOKEN_PATTERN);
    const human = await h.cli("users", "token", "create", "web:dave");
    assert.match(human.stdout, /shown only this once/);
    assert.match(human.stdout, /^vx_[A-Za-z0-9_-]{43}$/m);
    const listed = await h.cli("users", "token", "list", "web:dave");
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, new RegExp(id));
    assert.doesNotMatch(listed.stdout, /vx_/);
    const revoked = await h.cli("users", "token", "revoke", id, "--json");
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(h.core.authenticateToken(token), undefined);
    const again = await h.cli("users", "token", "revoke", id);
    assert.equal(again.code, 1);
    const asUser = await h.cli("--as", TEST_USERS.alice, "users", "token", "list");
    assert.equal(asUser.code, 1);
    assert.match(asUser.stderr, /administrator/);
  });

  void it("create and revoke --dry-run are the core's plans: admins only, the same checks, no token made or revoked", async () => {
    const h = createCliHarness();
    const { id, token } = (await h.cli("users", "token", "create", "web:dave", "--json")).json().result;
    const rows = () => h.db.sqlite.prepare("SELECT * FROM api_tokens ORDER BY id").all();
    const before = rows();
    const create = await h.cli("users", "token", "create", "web:erin", "--dry-run", "--json");
    assert.equal(create.code, 0, create.stderr);
    assert.equal(create.json().result.operation, "createApiToken");
    assert.equal(create.json().result.token, undefined, "no secret in a dry run");
    const revoke = await h.cli("users", "token", "revoke", id, "--dry-run", "--json");
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.equal(revoke.json().result.user, "web:dave");
    assert.equal((await h.cli("users", "token", "revoke", "tok_000000000000", "--dry-run")).code, 3);
    assert.equal((await h.cli("users", "token", "create", "web:erin", "--as", TEST_USERS.alice, "--dry-run")).code, 1);
    assert.deepEqual(rows(), before);
    assert.ok(h.core.authenticateToken(token), "the token still works");
    assert.equal(
      (h.db.sqlite.prepare("SELECT COUNT(*) AS n FROM users WHERE id = 'web:erin'").get() as { n: number }).n,
      0,
      "nobody registered",
    );
  });
});
