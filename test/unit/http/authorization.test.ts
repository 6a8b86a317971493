/**
 * The HTTP authorization matrix, generated from the route table and checked against the
 * core's operation list: every route × (owner, other user, admin, no token, revoked token).
 * Every core operation is either reachable through a route or listed here as not exposed,
 * with the reason; a new operation or route without a case fails the first tests.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { API_ROUTES } from "../../../src/adapters/http/app.js";
import { OPERATION_NAMES, type OperationName } from "../../../src/domain/operations.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createHttpHarness, type HttpCaller, type HttpHarness } from "../../fakes/http-harness.js";
import { createReady, destroyFully, destroyToken } from "../core/helpers.js";
import { ED25519 } from "../../fakes/fixture-ssh-keys.js";

const CALLERS: readonly HttpCaller[] = ["owner", "other", "admin", "none", "revoked"];
const alice = actor(TEST_USERS.alice);

/** Operations deliberately not reachable over plain HTTP, and why. */
const NOT_EXPOSED: Partial<Record<OperationName, string>> = {
  exec: "a shell exists only as the browser terminal's WebSocket (openShell), never as plain HTTP",
  openShell: "the browser terminal's WebSocket (/web/terminal/…; test/unit/http/terminal.test.ts), not an API route",
  attachShell: "the browser terminal's WebSocket with ?resume= (test/unit/http/terminal.test.ts), not an API route",
  createLoginLink:
    "links come from Telegram's /web and `voxnix web link` on the host, so a stolen session cannot mint more",
  startWebSession: "the dashboard's sign-in page (POST /web/login/…; test/unit/http/web-sessions.test.ts)",
  endWebSession: "the dashboard's logout (POST /web/logout)",
  autostart: "runs at boot on the host (`voxnix ctl autostart`)",
  doctor: "host administration stays on the host's CLI",
  reconcile: "host administration stays on the host's CLI",
  buildImages: "host administration stays on the host's CLI",
  createApiToken: "tokens are made on the host (`voxnix users token create`), so a leaked token cannot mint more",
  listApiTokens: "tokens are managed on the host's CLI",
  revokeApiToken: "tokens are managed on the host's CLI",
  impersonate: "acting as someone else is the host admin's `--as`; an API caller's identity is its token or session",
  listAdmins: "how a newcomer's request reaches the admins inside a chat adapter; admins' ids are not for API callers",
  openSession: "a stream, not a request: the SSH gateway and the browser terminal's WebSocket",
  openForward: "a stream, not a request: SSH local forwarding",
};

interface Case {
  readonly setup?: (h: HttpHarness) => Promise<string>;
  readonly request: (data: string) => { readonly method: string; readonly path: string; readonly body?: unknown };
  readonly expect: Record<HttpCaller, string>;
}

const NO_TOKEN = { none: "401:unauthorized", revoked: "401:unauthorized" } as const;
const WORKLOAD = { owner: "200", other: "404:not-found", admin: "200", ...NO_TOKEN };
const SELF = { owner: "200", other: "200", admin: "200", ...NO_TOKEN };
const ADMIN = { owner: "403:forbidden", other: "403:forbidden", admin: "200", ...NO_TOKEN };

const CASES: Record<string, Case> = {
  "get /whoami": { request: () => ({ method: "GET", path: "/whoami" }), expect: SELF },
  "get /storage": { request: () => ({ method: "GET", path: "/storage" }), expect: SELF },
  "get /modules": { request: () => ({ method: "GET", path: "/modules" }), expect: SELF },
  "get /events": { request: () => ({ method: "GET", path: "/events" }), expect: SELF },
  "get /workloads": { request: () => ({ method: "GET", path: "/workloads" }), expect: SELF },
  "post /workloads": {
    request: () => ({ method: "POST", path: "/workloads", body: { name: "fresh" } }),
    expect: { owner: "202", other: "202", admin: "202", ...NO_TOKEN },
  },
  "get /workloads/{name}": { request: () => ({ method: "GET", path: "/workloads/dev" }), expect: WORKLOAD },
  "post /workloads/{name}/start": {
    request: () => ({ method: "POST", path: "/workloads/dev/start" }),
    expect: WORKLOAD,
  },
  "post /workloads/{name}/stop": { request: () => ({ method: "POST", path: "/workloads/dev/stop" }), expect: WORKLOAD },
  "post /workloads/{name}/restart": {
    request: () => ({ method: "POST", path: "/workloads/dev/restart" }),
    expect: WORKLOAD,
  },
  "delete /workloads/{name}": {
    request: () => ({ method: "DELETE", path: "/workloads/dev" }),
    expect: { owner: "409:needs-confirmation", other: "404:not-found", admin: "409:needs-confirmation", ...NO_TOKEN },
  },
  "patch /workloads/{name}": {
    request: () => ({ method: "PATCH", path: "/workloads/dev", body: { cpus: 2 } }),
    expect: { owner: "409:needs-confirmation", other: "404:not-found", admin: "409:needs-confirmation", ...NO_TOKEN },
  },
  "post /workloads/{name}/restore": {
    setup: async (h) => {
      await destroyFully(h.core, alice, "dev");
      return "dev";
    },
    request: (name) => ({ method: "POST", path: `/workloads/${name}/restore` }),
    expect: { owner: "202", other: "404:not-found", admin: "404:not-found", ...NO_TOKEN },
  },
  "post /workloads/{name}/keep": { request: () => ({ method: "POST", path: "/workloads/dev/keep" }), expect: WORKLOAD },
  "post /workloads/{name}/idle-timeout": {
    request: () => ({ method: "POST", path: "/workloads/dev/idle-timeout", body: { timeout: "1h" } }),
    expect: WORKLOAD,
  },
  "get /workloads/{name}/logs": {
    request: () => ({ method: "GET", path: "/workloads/dev/logs?lines=5" }),
    expect: WORKLOAD,
  },
  // "dev" is a container: host keys are for VMs, which its owner learns; others only get "not found".
  "get /workloads/{name}/host-key": {
    request: () => ({ method: "GET", path: "/workloads/dev/host-key" }),
    expect: { owner: "422:invalid-input", other: "404:not-found", admin: "422:invalid-input", ...NO_TOKEN },
  },
  "get /jobs/{id}": {
    setup: async (h) => {
      const handle = await h.core.create(alice, { name: "jobbed" });
      await handle.wait();
      return handle.id;
    },
    request: (id) => ({ method: "GET", path: `/jobs/${id}` }),
    expect: { owner: "200", other: "404:not-found", admin: "200", ...NO_TOKEN },
  },
  "get /jobs/{id}/events": {
    setup: async (h) => {
      const handle = await h.core.create(alice, { name: "jobbed" });
      await handle.wait();
      return handle.id;
    },
    request: (id) => ({ method: "GET", path: `/jobs/${id}/events` }),
    expect: { owner: "200", other: "404:not-found", admin: "200", ...NO_TOKEN },
  },
  "post /confirmations": {
    setup: async (h) => (await destroyToken(h.core, alice, "dev")).token,
    request: (token) => ({ method: "POST", path: "/confirmations", body: { token } }),
    // Tokens are bound to the actor who asked: even an admin cannot use alice's.
    expect: { owner: "202", other: "404:not-found", admin: "404:not-found", ...NO_TOKEN },
  },
  "get /users": { request: () => ({ method: "GET", path: "/users" }), expect: ADMIN },
  "post /users/{id}/approve": {
    request: () => ({ method: "POST", path: `/users/${TEST_USERS.pending}/approve` }),
    expect: ADMIN,
  },
  "post /users/{id}/deny": {
    request: () => ({ method: "POST", path: `/users/${TEST_USERS.pending}/deny` }),
    expect: ADMIN,
  },
  "patch /users/{id}/limits": {
    request: () => ({ method: "PATCH", path: `/users/${TEST_USERS.bob}/limits`, body: { maxWorkloads: 2 } }),
    expect: ADMIN,
  },
  "get /audit": { request: () => ({ method: "GET", path: "/audit?operation=create&limit=5" }), expect: ADMIN },
  "get /ssh-keys": { request: () => ({ method: "GET", path: "/ssh-keys" }), expect: SELF },
  "post /ssh-keys": {
    request: () => ({ method: "POST", path: "/ssh-keys", body: { publicKey: ED25519 } }),
    expect: { owner: "201", other: "201", admin: "201", ...NO_TOKEN },
  },
  "delete /ssh-keys": {
    setup: async (h) => (await h.core.addSshKey(alice, { publicKey: ED25519 })).fingerprint,
    request: (fingerprint) => ({ method: "DELETE", path: `/ssh-keys?fingerprint=${encodeURIComponent(fingerprint)}` }),
    // The key's owner and an admin (who may remove anyone's) remove it; to anyone else it does not exist.
    expect: { owner: "200", other: "404:not-found", admin: "200", ...NO_TOKEN },
  },
};

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

void describe("HTTP authorization matrix", () => {
  void it("has a case for every route and no extra ones", () => {
    assert.deepEqual(Object.keys(CASES).sort(), API_ROUTES.map(routeKey).sort());
  });

  void it("every core operation is reachable through a route or explicitly not exposed", () => {
    const reachable = new Set(API_ROUTES.map((route) => route.operation));
    for (const name of OPERATION_NAMES) {
      assert.ok(
        reachable.has(name) !== (NOT_EXPOSED[name] !== undefined),
        `${name}: reachable=${reachable.has(name)}, listed as not exposed=${NOT_EXPOSED[name] !== undefined}`,
      );
    }
  });

  for (const route of API_ROUTES) {
    const key = routeKey(route);
    for (const caller of CALLERS) {
      void it(`${key} as ${caller} → ${CASES[key]?.expect[caller]}`, async () => {
        const h = await createHttpHarness();
        // bob and the pending user must exist for the user-administration cases.
        await h.core.whoami(actor(TEST_USERS.pending));
        await h.core.whoami(actor(TEST_USERS.bob));
        await createReady(h.core, alice, { name: "dev" });
        const testCase = CASES[key]!;
        const data = (await testCase.setup?.(h)) ?? "";
        const request = testCase.request(data);
        const answer = await h.call(caller, request.method, `/api/v1${request.path}`, request.body);
        const got = answer.status < 300 ? String(answer.status) : `${answer.status}:${answer.json.error?.kind}`;
        assert.equal(got, testCase.expect[caller]);
        await h.core.idle();
      });
    }
  }
});
