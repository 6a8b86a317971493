/**
 * `createHttpHarness`: the HTTP API over the core test harness, with API tokens for alice,
 * bob and an admin, a revoked token, and a `call` helper returning status, headers and JSON.
 *
 * @module
 */
import { createHttpApp, type HttpApp, type HttpAppOptions } from "../../src/adapters/http/app.js";
import { actor, createTestCore, TEST_USERS, type TestCore, type TestCoreOptions } from "./core-harness.js";

/** The callers every HTTP test can use. */
export type HttpCaller = "owner" | "other" | "admin" | "none" | "revoked";

/** A parsed answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body (an event stream, for example). */
  readonly text: string;
  /** The parsed body when it is JSON, else `{}`. */
  readonly json: {
    ok: boolean;
    result?: unknown;
    error?: { kind: string; message: string; [key: string]: unknown };
  } & Record<string, unknown>;
}

/** Everything an HTTP test needs. */
export interface HttpHarness extends TestCore {
  readonly app: HttpApp;
  /** Bearer tokens by caller (`none` has none). */
  readonly tokens: Readonly<Record<Exclude<HttpCaller, "none">, string>>;
  /** Sends a request as `caller`; `body` is sent as JSON unless it is a string. */
  call(
    caller: HttpCaller,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpAnswer>;
}

/** Creates the API over a fresh test core; alice (owner), bob (other) and local:admin have tokens. */
export async function createHttpHarness(
  options: { readonly core?: TestCoreOptions; readonly app?: Partial<HttpAppOptions> } = {},
): Promise<HttpHarness> {
  const test = createTestCore(options.core);
  // `/events` streams end after their first event unless a test asks for more.
  const app = createHttpApp({ core: test.core, watchMaxMs: 0, ...options.app });
  const admin = actor(TEST_USERS.admin);
  const owner = (await test.core.createApiToken(admin, TEST_USERS.alice)).token;
  const other = (await test.core.createApiToken(admin, TEST_USERS.bob)).token;
  const adminToken = (await test.core.createApiToken(admin, TEST_USERS.admin)).token;
  const revoked = await test.core.createApiToken(admin, TEST_USERS.alice);
  await test.core.revokeApiToken(admin, revoked.id);
  const tokens = { owner, other, admin: adminToken, revoked: revoked.token };
  return {
    ...test,
    app,
    tokens,
    async call(caller, method, path, body, headers = {}) {
      const sent: Record<string, string> = {};
      if (caller !== "none") sent.authorization = `Bearer ${tokens[caller]}`;
      if (body !== undefined) sent["content-type"] = "application/json";
      const init: RequestInit = { method, headers: { ...sent, ...headers } };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const response = await app.request(path, init);
      const text = await response.text();
      const isJson = response.headers.get("content-type")?.startsWith("application/json") === true;
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: isJson ? (JSON.parse(text) as HttpAnswer["json"]) : ({} as HttpAnswer["json"]),
      };
    },
  };
}
