/** Exec commands reach the audit log without secret-looking values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redact } from "../../../src/core/audit.js";
import { redactArgv, redactString } from "../../../src/domain/redaction.js";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady } from "./helpers.js";

const HEX = "0123456789abcdef0123456789abcdef01234567";
const BASE64 = "dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZQ9x2Q==";

void describe("redactArgv", () => {
  void it("hides the value after password-ish flags and in --flag=value forms", () => {
    assert.deepEqual(redactArgv(["mysql", "-u", "root", "--password", "hunter2", "db"]), [
      "mysql",
      "-u",
      "root",
      "--password",
      "***",
      "db",
    ]);
    assert.deepEqual(redactArgv(["curl", "--token", "abc", "--api-key=xyz", "https://example.org"]), [
      "curl",
      "--token",
      "***",
      "--api-key=***",
      "https://example.org",
    ]);
    assert.deepEqual(redactArgv(["mysql", "-p", "hunter2"]), ["mysql", "-p", "***"]);
    assert.deepEqual(redactArgv(["mysql", "-phunter2", "-h", "db"]), ["mysql", "-p***", "-h", "db"]);
    assert.deepEqual(redactArgv(["gh", "auth", "login", "--with-token", "t"]), [
      "gh",
      "auth",
      "login",
      "--with-token",
      "***",
    ]);
    assert.deepEqual(redactArgv(["tool", "--secret-file", "/run/x"]), ["tool", "--secret-file", "***"]);
  });

  void it("hides KEY=value assignments with secret-looking keys, and tokens anywhere", () => {
    assert.deepEqual(
      redactArgv([
        "env",
        "GITHUB_TOKEN=abc",
        "DB_PASSWORD=x",
        "AWS_SECRET_ACCESS_KEY=y",
        "API_KEY=z",
        "PASS=p",
        "EDITOR=vim",
        "make",
      ]),
      [
        "env",
        "GITHUB_TOKEN=***",
        "DB_PASSWORD=***",
        "AWS_SECRET_ACCESS_KEY=***",
        "API_KEY=***",
        "PASS=***",
        "EDITOR=vim",
        "make",
      ],
    );
    assert.deepEqual(redactArgv(["echo", HEX]), ["echo", "***"]);
    assert.deepEqual(redactArgv(["echo", BASE64]), ["echo", "***"]);
    assert.deepEqual(redactArgv(["git", "clone", "https://alice:s3cret@example.org/repo.git"]), [
      "git",
      "clone",
      "https://alice:***@example.org/repo.git",
    ]);
    assert.deepEqual(redactArgv(["echo", "token is ghp_abcdefghijklmnopqrstuvwxyz0123 ok"]), [
      "echo",
      "token is *** ok",
    ]);
    assert.equal(redactString(`Authorization: Bearer ${BASE64}`), "Authorization: Bearer ***");
  });

  void it("keeps ordinary commands readable", () => {
    const argv = ["git", "commit", "-m", "fix the parser for version 2", "--author", "Alice <alice@example.org>"];
    assert.deepEqual(redactArgv(argv), argv);
    const paths = [
      "ls",
      "-la",
      "/workspace/projects/2024/frontend/src/components/Button.tsx",
      "0f8fad5b-d9cb-469f-a165-70867728950e",
    ];
    assert.deepEqual(redactArgv(paths), paths);
    assert.deepEqual(redactArgv(["npm", "run", "build"]), ["npm", "run", "build"]);
    const store = ["/nix/store/0a1b2c3d4e5f6g7h8i9j0k1l2m3n4p5q-hello-2.12/bin/hello", "--version"];
    assert.deepEqual(redactArgv(store), store);
  });
});

void describe("the audit record of exec", () => {
  void it("stores the argv without secrets, through the real operation", async () => {
    const t = createTestCore();
    const alice = actor(TEST_USERS.alice);
    await createReady(t.core, alice, { name: "dev" });
    await t.core.exec(alice, {
      name: "dev",
      argv: ["env", `GITHUB_TOKEN=${HEX}`, "mysql", "--password", "hunter2", "-e", "select 1"],
    });
    const row = t.db.sqlite.prepare("SELECT args_json FROM operations WHERE operation = 'exec'").get() as {
      args_json: string;
    };
    assert.doesNotMatch(row.args_json, new RegExp(`${HEX}|hunter2`));
    assert.deepEqual(JSON.parse(row.args_json).argv, [
      "env",
      "GITHUB_TOKEN=***",
      "mysql",
      "--password",
      "***",
      "-e",
      "select 1",
    ]);
  });

  void it("a __proto__ key in audited arguments stays a field and sets no prototype", () => {
    const redacted = redact(JSON.parse('{"__proto__":{"polluted":true},"name":"dev"}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(redacted), null);
    assert.equal((redacted as { polluted?: unknown }).polluted, undefined);
    assert.equal(JSON.stringify(redacted), '{"__proto__":{"polluted":true},"name":"dev"}');
  });
});
