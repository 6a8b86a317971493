/** Opening, pragmas and migrating an existing database without losing rows. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { openDatabase } from "../../../src/state/database.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from "../../../src/state/migrations.js";

const directory = mkdtempSync(join(tmpdir(), "voxnix-state-"));
after(() => rmSync(directory, { recursive: true, force: true }));

void describe("database", () => {
  void it("opens a file in WAL mode with foreign keys and a busy timeout, at the latest version", () => {
    const db = openDatabase(join(directory, "nested", "fresh.db"));
    assert.equal(db.sqlite.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.sqlite.pragma("foreign_keys", { simple: true }), 1);
    assert.equal(db.sqlite.pragma("busy_timeout", { simple: true }), 5000);
    assert.equal(db.sqlite.pragma("user_version", { simple: true }), LATEST_SCHEMA_VERSION);
    db.close();
  });

  void it("enforces foreign keys (a workload needs an existing owner)", () => {
    const db = openDatabase(":memory:");
    assert.throws(
      () =>
        db.sqlite
          .prepare(
            "INSERT INTO workloads (name, owner, backend, spec_json, status, desired, created_at, updated_at) VALUES ('x', 'telegram:1', 'b', '{}', 'ready', 'running', 0, 0)",
          )
          .run(),
      /FOREIGN KEY/,
    );
    db.close();
  });

  void it("versions are consecutive from 1", () => {
    MIGRATIONS.forEach((step, index) => assert.equal(step.version, index + 1));
  });

  void it("migrates a database created at version 1 without losing rows", () => {
    const path = join(directory, "old.db");
    const old = openDatabase(path, { schemaVersion: 1 });
    assert.equal(old.sqlite.pragma("user_version", { simple: true }), 1);
    old.sqlite
      .prepare(
        "INSERT INTO users (id, role, status, limits_json, created_at) VALUES ('telegram:42', 'user', 'active', '{}', 1)",
      )
      .run();
    old.sqlite
      .prepare(
        "INSERT INTO workloads (name, owner, backend, spec_json, status, desired, created_at, updated_at) VALUES ('dev', 'telegram:42', 'nspawn', '{}', 'ready', 'running', 1, 1)",
      )
      .run();
    old.sqlite
      .prepare(
        "INSERT INTO snapshots (id, owner, workload, spec_json, created_at, expires_at, state) VALUES ('s1', 'telegram:42', 'dev', '{}', 1, 2, 'kept')",
      )
      .run();
    assert.throws(() => old.sqlite.prepare("SELECT * FROM address_leases").all(), /no such table/);
    old.close();

    const reopened = openDatabase(path);
    assert.equal(reopened.sqlite.pragma("user_version", { simple: true }), LATEST_SCHEMA_VERSION);
    assert.deepEqual(reopened.sqlite.prepare("SELECT name, owner FROM workloads").all(), [
      { name: "dev", owner: "telegram:42" },
    ]);
    assert.deepEqual(reopened.sqlite.prepare("SELECT id, job_id FROM snapshots").all(), [{ id: "s1", job_id: null }]);
    assert.deepEqual(reopened.sqlite.prepare("SELECT * FROM address_leases").all(), []);
    reopened.sqlite
      .prepare("INSERT INTO conversations (user_id, messages_json, updated_at) VALUES ('telegram:42', '[]', 1)")
      .run();
    reopened.close();
  });

  void it("is idempotent: migrating again changes nothing", () => {
    const db = openDatabase(":memory:");
    assert.equal(migrate(db.sqlite), LATEST_SCHEMA_VERSION);
    db.close();
  });

  void it("refuses a database from a newer voxnix", () => {
    const path = join(directory, "future.db");
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => openDatabase(path), /newer than this voxnix/);
  });

  void it("a failing step leaves the database at the previous version", () => {
    const raw = new Database(":memory:");
    raw.exec("CREATE TABLE address_leases (x INTEGER)");
    migrate(raw, 1);
    assert.throws(() => migrate(raw));
    assert.equal(raw.pragma("user_version", { simple: true }), 1);
    raw.close();
  });
});
