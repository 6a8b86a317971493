/**
 * The authorization matrix: every operation in `OPERATION_NAMES` × (owner, other user, admin,
 * pending user). An operation without a case here fails the first test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OPERATION_NAMES, OPERATIONS, type OperationName } from "../../../src/domain/operations.js";
import type { Actor } from "../../../src/domain/identity.js";
import { actor, createTestCore, TEST_USERS, type TestCore } from "../../fakes/core-harness.js";
import { createReady, destroyFully, destroyToken, outcome } from "./helpers.js";
import {
  generateLoginLinkToken,
  generateSessionId,
  generateSessionSecret,
  hashWebSecret,
} from "../../../src/core/web-sessions.js";
import { ED25519, RSA_2048 } from "../../fakes/fixture-ssh-keys.js";

type Role = "owner" | "other" | "admin" | "pending";
const ROLES: readonly Role[] = ["owner", "other", "admin", "pending"];
const ACTORS: Record<Role, Actor> = {
  owner: actor(TEST_USERS.alice),
  other: actor(TEST_USERS.bob),
  admin: actor(TEST_USERS.admin),
  pending: actor(TEST_USERS.pending),
};
const owner = ACTORS.owner;

interface Case {
  /** Prepares state beyond alice's ready "dev"; returns data for `run`. */
  readonly setup?: (t: TestCore) => Promise<string>;
  readonly run: (t: TestCore, who: Actor, data: string) => Promise<unknown>;
  readonly expect: Record<Role, string>;
}

const FORBIDDEN_HOST = {
  owner: "forbidden:admin-only",
  other: "forbidden:admin-only",
  admin: "ok",
  pending: "forbidden:pending",
};
const WORKLOAD = { owner: "ok", other: "not-found", admin: "ok", pending: "forbidden:pending" };
const SELF = { owner: "ok", other: "ok", admin: "ok", pending: "forbidden:pending" };

// A Record over OperationName: adding an operation without a case is also a type error.
const CASES: Record<OperationName, Case> = {
  create: { run: (t, who) => createReady(t.core, who, { name: "fresh" }), expect: SELF },
  start: { run: (t, who) => t.core.start(who, "dev"), expect: WORKLOAD },
  stop: { run: (t, who) => t.core.stop(who, "dev"), expect: WORKLOAD },
  restart: { run: (t, who) => t.core.restart(who, "dev"), expect: WORKLOAD },
  destroy: {
    run: (t, who) => t.core.destroy(who, "dev"),
    expect: {
      owner: "needs-confirmation",
      other: "not-found",
      admin: "needs-confirmation",
      pending: "forbidden:pending",
    },
  },
  confirm: {
    setup: async (t) => (await destroyToken(t.core, owner, "dev")).token,
    run: async (t, who, token) => (await t.core.confirm(who, token)).wait(),
    // Tokens are bound to the actor who asked: even an admin cannot use alice's.
    expect: { owner: "ok", other: "not-found", admin: "not-found", pending: "forbidden:pending" },
  },
  restore: {
    setup: async (t) => {
      await destroyFully(t.core, owner, "dev");
      return "dev";
    },
    run: async (t, who, name) => (await t.core.restore(who, name)).wait(),
    expect: { owner: "ok", other: "not-found", admin: "not-found", pending: "forbidden:pending" },
  },
  change: {
    run: async (t, who) => {
      const answer = await t.core.change(who, "dev", { cpus: 2 });
      if (answer.type === "job") await answer.job.wait();
      return answer;
    },
    // dev runs and its runtime cannot resize live: the change restarts it, so it asks first.
    expect: {
      owner: "needs-confirmation",
      other: "not-found",
      admin: "needs-confirmation",
      pending: "forbidden:pending",
    },
  },
  autostart: { run: (t, who) => t.core.autostart(who), expect: SELF },
  exec: { run: (t, who) => t.core.exec(who, { name: "dev", argv: ["true"] }), expect: WORKLOAD },
  openSession: {
    run: async (t, who) =>
      (await t.core.openSession(who, { name: "dev", command: { kind: "exec", command: "true" }, via: "ssh" })).exit,
    expect: WORKLOAD,
  },
  openForward: {
    run: async (t, who) =>
      (await t.core.openForward(who, { name: "dev", host: "localhost", port: 3000, via: "ssh" })).close(),
    expect: WORKLOAD,
  },
  list: { run: (t, who) => t.core.list(who), expect: SELF },
  show: { run: (t, who) => t.core.show(who, "dev"), expect: WORKLOAD },
  keep: { run: (t, who) => t.core.keep(who, "dev"), expect: WORKLOAD },
  setIdleTimeout: { run: (t, who) => t.core.setIdleTimeout(who, "dev", "1h"), expect: WORKLOAD },
  logs: { run: (t, who) => t.core.logs(who, "dev"), expect: WORKLOAD },
  // "dev" is a container (host keys are for VMs): its owner and admins learn that; others only "not found".
  hostKey: {
    run: (t, who) => t.core.hostKey(who, "dev"),
    expect: { owner: "invalid-input", other: "not-found", admin: "invalid-input", pending: "forbidden:pending" },
  },
  storage: { run: (t, who) => t.core.storage(who), expect: SELF },
  job: {
    setup: async (t) => {
      const handle = await t.core.create(owner, { name: "jobbed" });
      await handle.wait();
      return handle.id;
    },
    run: (t, who, id) => t.core.job(who, id),
    expect: { owner: "ok", other: "not-found", admin: "ok", pending: "forbidden:pending" },
  },
  whoami: { run: (t, who) => t.core.whoami(who), expect: { owner: "ok", other: "ok", admin: "ok", pending: "ok" } },
  doctor: { run: (t, who) => t.core.doctor(who), expect: FORBIDDEN_HOST },
  reconcile: { run: (t, who) => t.core.reconcile(who), expect: FORBIDDEN_HOST },
  buildImages: { run: (t, who) => t.core.buildImages(who, { onProgress: () => undefined }), expect: FORBIDDEN_HOST },
  listUsers: { run: (t, who) => t.core.listUsers(who), expect: FORBIDDEN_HOST },
  approveUser: { run: (t, who) => t.core.approveUser(who, TEST_USERS.pending), expect: FORBIDDEN_HOST },
  denyUser: { run: (t, who) => t.core.denyUser(who, TEST_USERS.bob), expect: FORBIDDEN_HOST },
  setUserLimits: {
    run: (t, who) => t.core.setUserLimits(who, TEST_USERS.bob, { maxWorkloads: 2 }),
    expect: FORBIDDEN_HOST,
  },
  impersonate: { run: (t, who) => t.core.impersonate(who, TEST_USERS.pending), expect: FORBIDDEN_HOST },
  // How a newcomer's request reaches an admin: everyone who is not denied may ask.
  listAdmins: {
    run: (t, who) => t.core.listAdmins(who),
    expect: { owner: "ok", other: "ok", admin: "ok", pending: "ok" },
  },
  createApiToken: { run: (t, who) => t.core.createApiToken(who, TEST_USERS.bob), expect: FORBIDDEN_HOST },
  listApiTokens: { run: (t, who) => t.core.listApiTokens(who), expect: FORBIDDEN_HOST },
  revokeApiToken: {
    setup: async (t) => (await t.core.createApiToken(actor(TEST_USERS.admin), TEST_USERS.bob)).id,
    run: (t, who, id) => t.core.revokeApiToken(who, id),
    expect: FORBIDDEN_HOST,
  },
  createLoginLink: { run: (t, who) => t.core.createLoginLink(who), expect: SELF },
  // The actor is the link's user: a link is planted for each role directly, so a pending user's is tested too.
  startWebSession: { run: (t, who) => t.core.startWebSession(plantLoginLink(t, who)), expect: SELF },
  endWebSession: { run: (t, who) => t.core.endWebSession(who, plantWebSession(t, who)), expect: SELF },
  openShell: {
    run: async (t, who) => (await t.core.openShell(who, { name: "dev", cols: 80, rows: 24 })).close(),
    expect: WORKLOAD,
  },
  attachShell: {
    // alice's own shell, detached: only she gets back into it; anyone else's answer is "not found".
    setup: async (t) => {
      const shell = await t.core.openShell(owner, { name: "dev", cols: 80, rows: 24, reattachMs: 60_000 });
      shell.detach();
      return shell.resumeToken;
    },
    run: async (t, who, resumeToken) =>
      (await t.core.attachShell(who, { name: "dev", resumeToken, cols: 80, rows: 24 })).close(),
    expect: { owner: "ok", other: "not-found", admin: "not-found", pending: "forbidden:pending" },
  },
  watch: { run: async (t, who) => (await t.core.watch(who)).close(), expect: SELF },
  auditLog: { run: (t, who) => t.core.auditLog(who, { limit: 5 }), expect: FORBIDDEN_HOST },
  addSshKey: { run: (t, who) => t.core.addSshKey(who, { publicKey: ED25519 }), expect: SELF },
  listSshKeys: { run: (t, who) => t.core.listSshKeys(who), expect: SELF },
  removeSshKey: {
    setup: async (t) => (await t.core.addSshKey(owner, { publicKey: RSA_2048 })).fingerprint,
    run: (t, who, fingerprint) => t.core.removeSshKey(who, { fingerprint }),
    // Someone else's key is answered like an unknown one; admins manage everyone's.
    expect: { owner: "ok", other: "not-found", admin: "ok", pending: "forbidden:pending" },
  },
};

function plantLoginLink(t: TestCore, who: Actor): string {
  const token = generateLoginLinkToken();
  const now = t.clock.now();
  t.db.sqlite
    .prepare("INSERT INTO login_links (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
    .run(hashWebSecret(token), who.userId, who.userId, now.getTime(), now.getTime() + 60_000);
  return token;
}

function plantWebSession(t: TestCore, who: Actor): string {
  const secret = generateSessionSecret();
  const now = t.clock.now();
  t.db.sqlite
    .prepare("INSERT INTO web_sessions (secret_hash, id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
    .run(hashWebSecret(secret), generateSessionId(), who.userId, now.getTime(), now.getTime() + 60_000);
  return secret;
}

void describe("authorization matrix", () => {
  void it("has a case for every operation and no extra ones", () => {
    assert.deepEqual(Object.keys(CASES).sort(), [...OPERATION_NAMES].sort());
  });

  void it("host-scope operations are admin-only and workload-scope ones hide others' workloads", () => {
    for (const name of OPERATION_NAMES) {
      const { scope } = OPERATIONS[name];
      if (scope === "host") assert.equal(CASES[name].expect.other, "forbidden:admin-only", name);
      if (scope === "workload") assert.equal(CASES[name].expect.other, "not-found", name);
      if (name !== "whoami" && name !== "listAdmins")
        assert.equal(CASES[name].expect.pending, "forbidden:pending", name);
    }
  });

  for (const name of OPERATION_NAMES) {
    for (const role of ROLES) {
      void it(`${name} as ${role} → ${CASES[name]?.expect[role]}`, async () => {
        const t = createTestCore();
        // The pending user and bob must exist for the user-administration cases.
        await t.core.whoami(ACTORS.pending);
        await t.core.whoami(ACTORS.other);
        await createReady(t.core, owner, { name: "dev" });
        const data = (await CASES[name].setup?.(t)) ?? "";
        assert.equal(await outcome(CASES[name].run(t, ACTORS[role], data)), CASES[name].expect[role]);
        await t.core.idle();
      });
    }
  }
});
