/**
 * The HTTP API's request handling: identity only from the token, rate limit, body limit,
 * malformed and mistyped bodies (which change nothing), unknown routes, the error body shared
 * with the CLI, job events over SSE (owner only), and the OpenAPI document.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { API_ROUTES } from "../../../src/adapters/http/app.js";
import { errorBody } from "../../../src/adapters/http/errors.js";
import { DEFAULT_RATE_LIMIT } from "../../../src/adapters/http/rate-limit.js";
import { jsonError } from "../../../src/adapters/cli/main.js";
import { InvalidInputError, NotFoundError } from "../../../src/domain/errors.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createHttpHarness, type HttpHarness } from "../../fakes/http-harness.js";
import { createReady, destroyToken } from "../core/helpers.js";
import { FakeLogger } from "../../fakes/fake-logger.js";

const alice = actor(TEST_USERS.alice);

async function workloadNames(h: HttpHarness): Promise<string[]> {
  return (await h.core.list(actor(TEST_USERS.admin))).workloads
    .map((workload) => `${workload.owner}/${workload.name}`)
    .sort();
}

function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? "{}";
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

void describe("HTTP API: identity", () => {
  void it("a body naming an owner is refused (422) and creates nothing", async () => {
    const h = await createHttpHarness();
    for (const extra of [
      { owner: TEST_USERS.bob },
      { userId: TEST_USERS.bob },
      { actor: { userId: TEST_USERS.admin } },
    ]) {
      const answer = await h.call("owner", "POST", "/api/v1/workloads", { name: "dev", ...extra });
      assert.equal(answer.status, 422);
      assert.equal(answer.json.error?.kind, "invalid-input");
    }
    assert.deepEqual(await workloadNames(h), []);
  });

  void it("headers other than Authorization never change who is asking", async () => {
    const h = await createHttpHarness();
    const spoof = {
      "x-user-id": TEST_USERS.admin,
      "x-forwarded-user": TEST_USERS.admin,
      "x-voxnix-actor": TEST_USERS.admin,
    };
    const created = await h.call("owner", "POST", "/api/v1/workloads", { name: "dev" }, spoof);
    assert.equal(created.status, 202);
    await h.core.idle();
    assert.deepEqual(await workloadNames(h), [`${TEST_USERS.alice}/dev`]);
    assert.equal((await h.call("owner", "GET", "/api/v1/users", undefined, spoof)).status, 403);
    assert.equal(
      (await h.call("other", "GET", "/api/v1/workloads/dev", undefined, { "x-user-id": TEST_USERS.alice })).status,
      404,
    );
    const whoami = await h.call("other", "GET", "/api/v1/whoami", undefined, spoof);
    assert.equal((whoami.json.result as { id: string }).id, TEST_USERS.bob);
  });

  void it("a query naming someone is refused, not obeyed", async () => {
    const h = await createHttpHarness();
    const answer = await h.call("owner", "GET", `/api/v1/workloads?as=${TEST_USERS.admin}`);
    assert.equal(answer.status, 422);
  });

  void it("a malformed Authorization header is 401 with WWW-Authenticate", async () => {
    const h = await createHttpHarness();
    for (const header of [
      "Basic abc",
      `Bearer ${h.tokens.owner}x`,
      "Bearer vx_short",
      `Bearer  ${h.tokens.owner}`,
      `Bearer ${h.tokens.owner} extra`,
      h.tokens.owner,
    ]) {
      const response = await h.app.request("/api/v1/whoami", { headers: { authorization: header } });
      assert.equal(response.status, 401, header);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
    // The scheme is case-insensitive (RFC 9110).
    assert.equal(
      (await h.app.request("/api/v1/whoami", { headers: { authorization: `bearer ${h.tokens.owner}` } })).status,
      200,
    );
  });
});

void describe("HTTP API: logging", () => {
  void it("logs one line per request with the route and the actor, never the token or the body", async () => {
    const logger = new FakeLogger();
    const h = await createHttpHarness({ app: { logger } });
    await h.call("owner", "POST", "/api/v1/workloads?dryRun=true", { name: "dev", modules: ["git"] });
    await h.call("revoked", "GET", "/api/v1/whoami");
    const lines = logger.records.filter((record) => record.message === "http request");
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.fields.actor, TEST_USERS.alice);
    assert.equal(lines[0]?.fields.status, 200);
    assert.equal(lines[1]?.fields.status, 401);
    const everything = JSON.stringify(logger.records);
    for (const token of Object.values(h.tokens)) assert.ok(!everything.includes(token.slice(3)));
    assert.ok(!everything.includes('"modules"'));
  });
});

void describe("HTTP API: hostile and broken requests change nothing", () => {
  void it("rate limit: the burst passes, then 429 with Retry-After; other users are unaffected; it refills", async () => {
    let now = 1_000_000;
    const h = await createHttpHarness({
      app: { rateLimit: { reads: { perMinute: 60, burst: 3 }, writes: { perMinute: 60, burst: 2 }, now: () => now } },
    });
    for (let index = 0; index < 3; index += 1)
      assert.equal((await h.call("owner", "GET", "/api/v1/whoami")).status, 200);
    const limited = await h.call("owner", "GET", "/api/v1/whoami");
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error?.kind, "rate-limited");
    assert.equal(limited.headers.get("retry-after"), "1");
    // Writes have their own budget: spent reads do not block them, and it runs out too.
    assert.equal((await h.call("owner", "POST", "/api/v1/workloads", { name: "Bad Name!" })).status, 422);
    assert.equal((await h.call("owner", "POST", "/api/v1/workloads", { name: "Worse Name!" })).status, 422);
    const refused = await h.call("owner", "POST", "/api/v1/workloads", { name: "dev" });
    assert.equal(refused.status, 429);
    assert.deepEqual(await workloadNames(h), []);
    assert.equal((await h.call("other", "GET", "/api/v1/whoami")).status, 200);
    now += 1000;
    assert.equal((await h.call("owner", "GET", "/api/v1/whoami")).status, 200);
  });

  void it("the default limits let a person reload the dashboard five times in a row and still destroy", async () => {
    const h = await createHttpHarness({ app: { rateLimit: { ...DEFAULT_RATE_LIMIT, now: () => 1_000_000 } } });
    const pageLoad = [
      "/api/v1/whoami",
      "/api/v1/workloads",
      "/api/v1/modules",
      "/api/v1/storage",
      "/api/v1/ssh-keys",
      "/api/v1/whoami",
    ];
    for (let load = 0; load < 5; load += 1)
      for (const path of pageLoad) assert.equal((await h.call("owner", "GET", path)).status, 200, path);
    const planned = await h.call("owner", "POST", "/api/v1/workloads/nothing/destroy");
    assert.equal(planned.status, 404, "the destroy request reaches the core (not a 429)");
  });

  void it("a body over 64 KiB is 413 and creates nothing", async () => {
    const h = await createHttpHarness();
    const answer = await h.call("owner", "POST", "/api/v1/workloads", {
      name: "dev",
      modules: ["git"],
      padding: "x".repeat(70 * 1024),
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.json.error?.kind, "too-large");
    assert.deepEqual(await workloadNames(h), []);
  });

  void it("malformed JSON is 400 invalid-input and creates nothing", async () => {
    const h = await createHttpHarness();
    for (const body of ['{"name": "dev"', "", "null x", '{"name":"dev"}}']) {
      const answer = await h.call("owner", "POST", "/api/v1/workloads", body);
      assert.equal(answer.status, 400, body);
      assert.deepEqual(answer.json, {
        ok: false,
        error: {
          kind: "invalid-input",
          message: "The request body is not valid JSON.",
          issues: [{ path: "", message: "The request body is not valid JSON." }],
        },
      });
    }
    assert.deepEqual(await workloadNames(h), []);
  });

  void it("wrong types are 422 with issues naming the field, and change nothing", async () => {
    const h = await createHttpHarness();
    const wrongName = await h.call("owner", "POST", "/api/v1/workloads", { name: 5 });
    assert.equal(wrongName.status, 422);
    assert.equal((wrongName.json.error?.issues as { path: string }[])[0]?.path, "name");
    const badName = await h.call("owner", "POST", "/api/v1/workloads", { name: "Bad_Name" });
    assert.equal(badName.status, 422);
    const limits = await h.call("admin", "PATCH", `/api/v1/users/${TEST_USERS.bob}/limits`, { maxWorkloads: "many" });
    assert.equal(limits.status, 422);
    assert.equal((await h.core.whoami(actor(TEST_USERS.bob))).limits.maxWorkloads, 5);
    const prototype = await h.call("owner", "POST", "/api/v1/workloads", '{"name":"dev","__proto__":{"admin":true}}');
    assert.equal(prototype.status, 422);
    assert.deepEqual(await workloadNames(h), []);
  });

  void it("unknown routes are 404 JSON", async () => {
    const h = await createHttpHarness();
    const inside = await h.call("owner", "GET", "/api/v1/nothing-here");
    assert.equal(inside.status, 404);
    assert.equal(inside.json.error?.kind, "not-found");
    const outside = await h.call("none", "GET", "/nothing-here");
    assert.equal(outside.status, 404);
    assert.equal(outside.json.ok, false);
    // The root leads to the dashboard.
    const root = await h.call("none", "GET", "/");
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/web/");
    assert.equal((await h.call("owner", "PUT", "/api/v1/workloads")).status, 404);
  });

  void it("error bodies have the CLI's --json error shape", () => {
    const invalid = new InvalidInputError([{ path: "name", message: "Too long." }]);
    assert.deepEqual(errorBody(invalid).error, jsonError(invalid));
    const missing = new NotFoundError("workload", "dev");
    assert.deepEqual(errorBody(missing).error, jsonError(missing));
    const bug = errorBody(new Error("SELECT secret FROM somewhere"));
    assert.equal(bug.status, 500);
    assert.equal(bug.error.kind, "internal");
    assert.doesNotMatch(String(bug.error.message), /secret/);
  });

  void it("create with ?dryRun=true returns the validated plan for the token's user and creates nothing", async () => {
    const h = await createHttpHarness();
    const answer = await h.call("owner", "POST", "/api/v1/workloads?dryRun=true", { name: "dev", modules: ["git"] });
    assert.equal(answer.status, 200);
    const plan = answer.json.result as { owner: string; spec: { name: string; modules: string[] } };
    assert.equal(plan.owner, TEST_USERS.alice);
    assert.equal(plan.spec.name, "dev");
    assert.deepEqual(await workloadNames(h), []);
    assert.equal((await h.call("owner", "POST", "/api/v1/workloads?dryRun=yes", { name: "dev" })).status, 422);
  });

  void it("create takes idleTimeout beside the spec: in the plan, on the workload, and refused when it is nonsense", async () => {
    const h = await createHttpHarness();
    const planned = await h.call("owner", "POST", "/api/v1/workloads?dryRun=true", {
      name: "night",
      idleTimeout: "2h",
    });
    assert.equal(planned.status, 200);
    assert.equal((planned.json.result as { idleTimeout?: string }).idleTimeout, "2h");
    assert.equal(
      (await h.call("owner", "POST", "/api/v1/workloads", { name: "night", idleTimeout: "whenever" })).status,
      422,
    );
    assert.equal(
      (await h.call("owner", "POST", "/api/v1/workloads", { name: "night", idleTimeout: 7200 })).status,
      422,
    );
    assert.deepEqual(await workloadNames(h), []);
    const started = await h.call("owner", "POST", "/api/v1/workloads", {
      name: "night",
      modules: ["git"],
      idleTimeout: "90m",
    });
    assert.equal(started.status, 202);
    await h.core.idle();
    const shown = await h.call("owner", "GET", "/api/v1/workloads/night");
    const idle = (shown.json.result as { idle: { timeoutMs: number; source: string } }).idle;
    assert.deepEqual([idle.timeoutMs, idle.source], [90 * 60_000, "workload"]);
  });

  void it("destroy answers 409 needs-confirmation with plan and token; confirming destroys", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const planned = await h.call("owner", "DELETE", "/api/v1/workloads/dev");
    assert.equal(planned.status, 409);
    assert.equal(planned.json.error?.kind, "needs-confirmation");
    assert.deepEqual((planned.json.error?.plan as { workload: string }).workload, "dev");
    assert.deepEqual(await workloadNames(h), [`${TEST_USERS.alice}/dev`]);
    const confirmed = await h.call("owner", "POST", "/api/v1/confirmations", { token: planned.json.error?.token });
    assert.equal(confirmed.status, 202);
    await h.core.idle();
    assert.deepEqual(await workloadNames(h), []);
  });
});

void describe("HTTP API: job events (SSE)", () => {
  void it("the owner receives the create job's events from job-state to job-end", async () => {
    const h = await createHttpHarness();
    const created = await h.call("owner", "POST", "/api/v1/workloads", { name: "dev" });
    assert.equal(created.status, 202);
    const { job, events } = created.json.result as { job: { id: string }; events: string };
    assert.equal(events, `/api/v1/jobs/${job.id}/events`);
    const stream = await h.call("owner", "GET", events);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    const received = sseEvents(stream.text);
    assert.equal(received[0]?.event, "job-state");
    assert.ok(
      received.some((event) => event.event === "step"),
      stream.text,
    );
    assert.equal(received.at(-1)?.event, "job-end");
    assert.equal((received.at(-1)?.data.job as { state: string }).state, "succeeded");
  });

  void it("another user gets 404 JSON, not a stream", async () => {
    const h = await createHttpHarness();
    const created = await h.call("owner", "POST", "/api/v1/workloads", { name: "dev" });
    const { events } = created.json.result as { events: string };
    const stream = await h.call("other", "GET", events);
    assert.equal(stream.status, 404);
    assert.equal(stream.json.error?.kind, "not-found");
    assert.doesNotMatch(stream.text, /event:/);
    await h.core.idle();
  });

  void it("a job started elsewhere (CLI, Telegram) is followed by polling until it ends", async () => {
    const h = await createHttpHarness({ app: { jobPollMs: 10 } });
    const handle = await h.core.create(alice, { name: "dev" });
    const stream = await h.call("owner", "GET", `/api/v1/jobs/${handle.id}/events`);
    const received = sseEvents(stream.text);
    assert.equal(received[0]?.event, "job-state");
    assert.equal(received.at(-1)?.event, "job-end");
    await handle.wait();
  });

  void it("a destroy confirmed over HTTP streams to its owner", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const { token } = await destroyToken(h.core, alice, "dev");
    const confirmed = await h.call("owner", "POST", "/api/v1/confirmations", { token });
    const { events } = confirmed.json.result as { events: string };
    assert.equal((await h.call("other", "GET", events)).status, 404);
    const received = sseEvents((await h.call("owner", "GET", events)).text);
    assert.equal(received.at(-1)?.event, "job-end");
  });
});

void describe("HTTP API: OpenAPI document", () => {
  void it("is served without a token, is OpenAPI 3.1 JSON, and lists every route with its responses", async () => {
    const h = await createHttpHarness();
    const response = await h.app.request("/api/v1/openapi.json");
    assert.equal(response.status, 200);
    const document = JSON.parse(await response.text()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; requestBody?: unknown; parameters: { name: string }[] }>
      >;
    };
    assert.equal(document.openapi, "3.1.0");
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    assert.deepEqual(listed.sort(), API_ROUTES.map((route) => `${route.method} /api/v1${route.path}`).sort());
    for (const route of API_ROUTES) {
      const operation = document.paths[`/api/v1${route.path}`]![route.method]!;
      for (const status of Object.keys(route.responses))
        assert.ok(operation.responses[status], `${route.path} ${status}`);
      assert.ok(operation.responses["401"]);
      assert.equal(operation.requestBody !== undefined, route.body !== undefined, route.path);
      for (const match of route.path.matchAll(/\{([A-Za-z]+)\}/g))
        assert.ok(operation.parameters.some((parameter) => parameter.name === match[1]));
    }
    const create = document.paths["/api/v1/workloads"]!.post! as unknown as {
      requestBody: {
        content: {
          "application/json": { schema: { properties: Record<string, unknown>; additionalProperties: unknown } };
        };
      };
    };
    const schema = create.requestBody.content["application/json"].schema;
    assert.ok(schema.properties.name);
    assert.equal(schema.additionalProperties, false);
  });
});
