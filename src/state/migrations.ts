/**
 * Versioned schema migrations. Each step is plain SQL applied once, in order, inside a
 * transaction; the database remembers its version in `PRAGMA user_version`. Steps are
 * append-only: never edit a released step, add a new one.
 *
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";

/** One schema step. `version` is the `user_version` after it ran. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every schema step, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "users, workloads, audit, confirmations, snapshots, jobs",
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'denied')),
        limits_json TEXT NOT NULL,
        display_name TEXT,
        created_at INTEGER NOT NULL,
        approved_by TEXT
      );
      CREATE TABLE workloads (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL REFERENCES users(id),
        backend TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('creating', 'ready', 'destroying', 'failed')),
        desired TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX workloads_owner ON workloads(owner);
      CREATE TABLE operations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        actor TEXT NOT NULL,
        operation TEXT NOT NULL,
        target TEXT,
        args_json TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
        error_kind TEXT,
        duration_ms REAL NOT NULL,
        started_at INTEGER NOT NULL,
        job_id TEXT
      );
      CREATE TABLE confirmations (
        token_hash TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        workload TEXT NOT NULL,
        plan_hash TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE TABLE snapshots (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL REFERENCES users(id),
        workload TEXT NOT NULL,
        storage_ref TEXT,
        spec_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('kept', 'restored', 'pruned'))
      );
      CREATE INDEX snapshots_owner_workload ON snapshots(owner, workload);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('create', 'destroy', 'restore')),
        workload TEXT NOT NULL,
        owner TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
        progress TEXT NOT NULL DEFAULT '',
        error_kind TEXT,
        error_message TEXT,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX jobs_state ON jobs(state);
    `,
  },
  {
    version: 2,
    description: "address leases and cross-process workload locks",
    sql: `
      CREATE TABLE address_leases (
        workload TEXT PRIMARY KEY,
        address TEXT NOT NULL UNIQUE
      );
      CREATE TABLE workload_locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: "conversations; snapshots remember the job that took them",
    sql: `
      CREATE TABLE conversations (
        user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        messages_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      ALTER TABLE snapshots ADD COLUMN job_id TEXT;
    `,
  },
  {
    version: 4,
    description: "jobs remember the core instance (and boot) that runs them, since pids are reused",
    sql: `ALTER TABLE jobs ADD COLUMN holder TEXT NOT NULL DEFAULT '';`,
  },
  {
    version: 5,
    description: "API tokens for the HTTP API (only a SHA-256 of each token is stored)",
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_by TEXT
      );
      CREATE INDEX api_tokens_user ON api_tokens(user_id);
    `,
  },
  {
    version: 6,
    description: "dashboard login links (single use) and web sessions (only SHA-256 hashes stored)",
    sql: `
      CREATE TABLE login_links (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE TABLE web_sessions (
        secret_hash TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX web_sessions_user ON web_sessions(user_id);
    `,
  },
  {
    version: 7,
    description: "SSH public keys for the SSH gateway (one owner per key, found by fingerprint)",
    sql: `
      CREATE TABLE ssh_keys (
        fingerprint TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        public_key TEXT NOT NULL,
        bits INTEGER NOT NULL,
        comment TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX ssh_keys_user ON ssh_keys(user_id);
    `,
  },
  {
    version: 8,
    description: "the Proxmox VMID ledger: every VMID voxnix ever allocated, never reused",
    sql: `
      CREATE TABLE proxmox_vmids (
        vmid INTEGER PRIMARY KEY,
        workload TEXT,
        state TEXT NOT NULL CHECK (state IN ('reserved', 'active', 'released', 'taken')),
        note TEXT NOT NULL DEFAULT '',
        allocated_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX proxmox_vmids_live_workload ON proxmox_vmids(workload) WHERE state IN ('reserved', 'active');
    `,
  },
  {
    version: 9,
    description: "idle timers: each workload's own timeout, last activity, warning and idle stop (survive a restart)",
    sql: `
      CREATE TABLE idle_timers (
        workload TEXT PRIMARY KEY REFERENCES workloads(name) ON DELETE CASCADE,
        timeout_ms INTEGER,
        last_activity_at INTEGER NOT NULL,
        last_activity_kind TEXT NOT NULL,
        warned_at INTEGER,
        stopped_at INTEGER
      );
    `,
  },
  {
    version: 10,
    description:
      "changing a workload: change jobs, and confirmations that remember which operation (and change) they confirm",
    sql: `
      CREATE TABLE jobs_v10 (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('create', 'destroy', 'restore', 'change')),
        workload TEXT NOT NULL,
        owner TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
        progress TEXT NOT NULL DEFAULT '',
        error_kind TEXT,
        error_message TEXT,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        holder TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO jobs_v10 (id, kind, workload, owner, state, progress, error_kind, error_message, pid, started_at, ended_at, holder)
        SELECT id, kind, workload, owner, state, progress, error_kind, error_message, pid, started_at, ended_at, holder FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_v10 RENAME TO jobs;
      CREATE INDEX jobs_state ON jobs(state);
      ALTER TABLE confirmations ADD COLUMN operation TEXT NOT NULL DEFAULT 'destroy' CHECK (operation IN ('destroy', 'change'));
      ALTER TABLE confirmations ADD COLUMN request_json TEXT;
    `,
  },
  {
    version: 11,
    description:
      "the audit log's filters (who, workload, operation, outcome, time) read an index instead of the whole table",
    // Each index ends in the rowid (id), so "newest first" within one actor, workload or operation needs no sort.
    sql: `
      CREATE INDEX operations_actor ON operations(actor);
      CREATE INDEX operations_target ON operations(target);
      CREATE INDEX operations_operation ON operations(operation);
      CREATE INDEX operations_outcome ON operations(outcome);
      CREATE INDEX operations_started_at ON operations(started_at);
    `,
  },
  {
    version: 12,
    description:
      "a destroyed VM's root disk kept for the undo window beside its workspace snapshot: the runtime that keeps it, its reference there, and its allocated bytes (counted in the owner's quota until restored or pruned)",
    sql: `
      ALTER TABLE snapshots ADD COLUMN root_disk_runtime TEXT;
      ALTER TABLE snapshots ADD COLUMN root_disk_ref TEXT;
      ALTER TABLE snapshots ADD COLUMN root_disk_bytes INTEGER;
    `,
  },
  {
    version: 13,
    description: "imported cluster VMs assigned to an owner by a Proxmox definitions file (shown to them read-only)",
    sql: `
      CREATE TABLE imported_vms (
        name TEXT PRIMARY KEY,
        vmid INTEGER NOT NULL,
        owner TEXT NOT NULL,
        note TEXT,
        source TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX imported_vms_owner ON imported_vms(owner);
    `,
  },
  {
    version: 14,
    description:
      "imported VMs: an entry may let its owner (and admins) start and stop it (allowPowerControl; nothing else), and an entry without an owner is recorded too (admins see it), so owner may be NULL",
    sql: `
      CREATE TABLE imported_vms_new (
        name TEXT PRIMARY KEY,
        vmid INTEGER NOT NULL,
        owner TEXT,
        note TEXT,
        power_control INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO imported_vms_new (name, vmid, owner, note, source, updated_at) SELECT name, vmid, owner, note, source, updated_at FROM imported_vms;
      DROP TABLE imported_vms;
      ALTER TABLE imported_vms_new RENAME TO imported_vms;
      CREATE INDEX imported_vms_owner ON imported_vms(owner);
    `,
  },
];

/** The schema version a fully migrated database has. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Brings `sqlite` from its current `user_version` to `target` (default: latest), one step
 * per transaction so a failing step leaves the database at the previous version. Refuses a
 * database newer than this code, which would otherwise be silently misread.
 */
export function migrate(sqlite: BetterSqlite3.Database, target: number = LATEST_SCHEMA_VERSION): number {
  const current = sqlite.pragma("user_version", { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `The database is at schema version ${current}, newer than this voxnix (${LATEST_SCHEMA_VERSION}); upgrade voxnix.`,
    );
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    sqlite
      .transaction(() => {
        sqlite.exec(step.sql);
        sqlite.pragma(`user_version = ${step.version}`);
      })
      .immediate();
  }
  return sqlite.pragma("user_version", { simple: true }) as number;
}
