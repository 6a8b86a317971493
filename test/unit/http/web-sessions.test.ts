/**
 * Dashboard sign-in: single-use login links (a replay or an expired link fails and changes
 * nothing), the session cookie's flags, CSRF defences on cookie-authenticated requests (a
 * cross-site or token-less POST is refused, bearer tokens are unaffected), logout, and that
 * identity never comes from a body. In-process over `app.request()`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csrfTokenFor, SESSION_COOKIE } from "../../../src/adapters/http/session.js";
import { LOGIN_LINK_TTL_MS, WEB_SESSION_TTL_MS } from "../../../src/core/web-sessions.js";
import { actor, TEST_USERS } from "../../fakes/core-harness.js";
import { createHttpHarness, type HttpHarness } from "../../fakes/http-harness.js";
import { createReady, outcome } from "../core/helpers.js";

const ORIGIN = "http://localhost";
const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);

/** A browser's view of one site: its cookie jar holds at most the session cookie. */
class Browser {
  cookie: string | undefined;
  constructor(readonly h: HttpHarness) {}

  async request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    const response = await this.h.app.request(path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const set = response.headers.get("set-cookie");
    const match = set ? new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(set) : null;
    if (match) this.cookie = match[1] === "" ? undefined : match[1];
    return response;
  }

  /** Follows a login link the way a person does: open it, press the button. */
  async signIn(url: string): Promise<Response> {
    const path = new URL(url, ORIGIN).pathname;
    await this.request("GET", path);
    return this.request("POST", path, {
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
  }

  /** A dashboard API call with the page's CSRF token. */
  api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(method, `/api/v1${path}`, {
      headers: {
        origin: ORIGIN,
        "x-csrf-token": csrfTokenFor(this.cookie ?? ""),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

async function linkFor(h: HttpHarness, who = alice): Promise<string> {
  const link = await h.core.createLoginLink(who);
  return `/web/login/${link.token}`;
}

void describe("login links", () => {
  void it("a link shows a page and logs in only when its button is pressed, then redirects to the dashboard with a strict cookie", async () => {
    const h = await createHttpHarness();
    const path = await linkFor(h);
    const browser = new Browser(h);
    const page = await browser.request("GET", path);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Open my dashboard/);
    assert.equal(browser.cookie, undefined, "a GET (a link preview) never signs in");
    assert.equal(page.headers.get("referrer-policy"), "same-origin");
    assert.equal(h.core.inspectLoginLink(path.split("/").pop()!), "usable", "a GET does not spend the link");

    const signedIn = await browser.request("POST", path, {
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get("location"), "/web/");
    const cookie = signedIn.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/i, "plain HTTP on loopback: not Secure");
    assert.match(browser.cookie ?? "", /^vxs_[A-Za-z0-9_-]{43}$/);

    const dashboard = await browser.request("GET", "/web/");
    assert.equal(dashboard.status, 200);
    const html = await dashboard.text();
    assert.match(html, new RegExp(`content="${csrfTokenFor(browser.cookie!)}"`));
    assert.ok(html.includes(TEST_USERS.alice));
    assert.match(dashboard.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const whoami = await browser.api("GET", "/whoami");
    assert.equal(((await whoami.json()) as { result: { id: string } }).result.id, TEST_USERS.alice);
  });

  void it("a used link fails the second time (and a second browser gets no session)", async () => {
    const h = await createHttpHarness();
    const path = await linkFor(h);
    assert.equal((await new Browser(h).signIn(path)).status, 303);
    const replay = new Browser(h);
    const again = await replay.signIn(path);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /already used or it has expired/);
    assert.equal(replay.cookie, undefined);
    assert.equal((await replay.request("GET", path)).status, 410);
    const audit = h.db.sqlite
      .prepare("SELECT actor, outcome, error_kind FROM operations WHERE operation = 'startWebSession' ORDER BY id")
      .all();
    assert.deepEqual(audit, [
      { actor: TEST_USERS.alice, outcome: "ok", error_kind: null },
      { actor: TEST_USERS.alice, outcome: "error", error_kind: "not-found" },
    ]);
  });

  void it("an expired link fails and changes nothing; a link just inside its lifetime works", async () => {
    const h = await createHttpHarness();
    const expired = await linkFor(h);
    h.clock.advance(LOGIN_LINK_TTL_MS + 1);
    const browser = new Browser(h);
    assert.equal((await browser.request("GET", expired)).status, 410);
    assert.equal((await browser.signIn(expired)).status, 410);
    assert.equal(browser.cookie, undefined);
    const fresh = await linkFor(h);
    h.clock.advance(LOGIN_LINK_TTL_MS - 1000);
    assert.equal((await browser.signIn(fresh)).status, 303);
  });

  void it("an unknown or malformed link is a 404 page, never an error body with details", async () => {
    const h = await createHttpHarness();
    for (const token of ["vxl_" + "A".repeat(43), "nope", "%00", "vxl_" + "A".repeat(500)]) {
      const answer = await new Browser(h).request("GET", `/web/login/${token}`);
      assert.equal(answer.status, 404, token);
      assert.equal((await new Browser(h).signIn(`/web/login/${token}`)).status, 410, token);
    }
  });

  void it("a sign-in POST from another site is refused and leaves the link usable", async () => {
    const h = await createHttpHarness();
    const path = await linkFor(h);
    const browser = new Browser(h);
    const forged = await browser.request("POST", path, {
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    assert.equal(forged.status, 403);
    assert.equal(browser.cookie, undefined);
    assert.equal(h.core.inspectLoginLink(path.split("/").pop()!), "usable");
  });

  void it("a pending user's link does not sign in and stays unspent; a session ends when it expires", async () => {
    const h = await createHttpHarness();
    const pending = actor(TEST_USERS.pending);
    await h.core.whoami(pending);
    // A pending user cannot even ask for a link…
    assert.equal(await outcome(h.core.createLoginLink(pending)), "forbidden:pending");
    // …and a session ends at its expiry.
    const browser = new Browser(h);
    await browser.signIn(await linkFor(h));
    assert.equal((await browser.api("GET", "/whoami")).status, 200);
    h.clock.advance(WEB_SESSION_TTL_MS + 1);
    assert.equal((await browser.api("GET", "/whoami")).status, 401);
    assert.equal((await browser.request("GET", "/web/")).status, 401);
  });

  void it("the cookie is Secure when the server is reached over https", async () => {
    const h = await createHttpHarness({ app: { publicUrl: "https://voxnix.example.org", secureCookies: true } });
    const path = await linkFor(h);
    const answer = await h.app.request(path, {
      method: "POST",
      headers: { origin: "https://voxnix.example.org", "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    assert.equal(answer.status, 303);
    assert.match(answer.headers.get("set-cookie") ?? "", /; Secure/i);
  });
});

void describe("cookie sessions and CSRF", () => {
  async function signedIn(h: HttpHarness, who = alice): Promise<Browser> {
    const browser = new Browser(h);
    assert.equal((await browser.signIn(await linkFor(h, who))).status, 303);
    return browser;
  }

  void it("a dashboard request with the CSRF token and our Origin works", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const browser = await signedIn(h);
    assert.equal((await browser.api("POST", "/workloads/dev/stop")).status, 200);
  });

  void it("a cross-site POST with the cookie is refused and changes nothing", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const browser = await signedIn(h);
    const forged = await browser.api("POST", "/workloads/dev/stop", undefined, { origin: "https://evil.example" });
    assert.equal(forged.status, 403);
    assert.match(((await forged.json()) as { error: { message: string } }).error.message, /Cross-site/);
    // Without Origin, only Sec-Fetch-Site: same-origin passes.
    assert.equal(
      (
        await browser.request("POST", "/api/v1/workloads/dev/stop", {
          headers: { "x-csrf-token": csrfTokenFor(browser.cookie!), "sec-fetch-site": "cross-site" },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await browser.request("POST", "/api/v1/workloads/dev/stop", {
          headers: { "x-csrf-token": csrfTokenFor(browser.cookie!) },
        })
      ).status,
      403,
    );
    assert.equal((await h.core.show(alice, "dev")).live, "running");
  });

  void it("a same-origin POST without the CSRF token, or with another session's, is refused", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const browser = await signedIn(h);
    const other = await signedIn(h, bob);
    assert.equal((await browser.api("POST", "/workloads/dev/stop", undefined, { "x-csrf-token": "" })).status, 403);
    assert.equal(
      (await browser.api("POST", "/workloads/dev/stop", undefined, { "x-csrf-token": csrfTokenFor(other.cookie!) }))
        .status,
      403,
    );
    assert.equal(
      (await browser.api("DELETE", "/workloads/dev", undefined, { "x-csrf-token": "x".repeat(43) })).status,
      403,
    );
    assert.equal((await h.core.show(alice, "dev")).live, "running");
  });

  void it("reads need no CSRF token; a bearer token needs none and wins over a cookie", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const browser = await signedIn(h, bob);
    assert.equal((await browser.request("GET", "/api/v1/workloads")).status, 200);
    // bob's cookie plus alice's bearer token: the request is alice's (the token), no CSRF asked.
    const answer = await browser.request("POST", "/api/v1/workloads/dev/stop", {
      headers: { authorization: `Bearer ${h.tokens.owner}` },
    });
    assert.equal(answer.status, 200);
    // A bad bearer token is refused even with a good cookie.
    assert.equal(
      (await browser.request("GET", "/api/v1/workloads", { headers: { authorization: "Bearer vx_nope" } })).status,
      401,
    );
  });

  void it("identity comes from the cookie only: a body or header naming someone else changes nothing", async () => {
    const h = await createHttpHarness();
    await createReady(h.core, alice, { name: "dev" });
    const browser = await signedIn(h, bob);
    assert.equal(
      (
        await browser.api("POST", "/workloads/dev/stop", undefined, {
          "x-user-id": TEST_USERS.alice,
          "x-forwarded-user": TEST_USERS.alice,
        })
      ).status,
      404,
    );
    const create = await browser.api("POST", "/workloads", { name: "sneaky", owner: TEST_USERS.alice });
    assert.equal(create.status, 422);
    assert.equal((await browser.api("GET", "/workloads/dev")).status, 404, "alice's workload is not found for bob");
  });

  void it("a forged or unknown cookie is 401; logout ends the session and needs the CSRF token", async () => {
    const h = await createHttpHarness();
    const forged = new Browser(h);
    forged.cookie = "vxs_" + "A".repeat(43);
    assert.equal((await forged.api("GET", "/whoami")).status, 401);

    const browser = await signedIn(h);
    const secret = browser.cookie!;
    const noToken = await browser.request("POST", "/web/logout", {
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    assert.equal(noToken.status, 403);
    assert.equal((await browser.api("GET", "/whoami")).status, 200, "still signed in");
    const crossSite = await browser.request("POST", "/web/logout", {
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=${csrfTokenFor(secret)}`,
    });
    assert.equal(crossSite.status, 403);
    const out = await browser.request("POST", "/web/logout", {
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=${csrfTokenFor(secret)}`,
    });
    assert.equal(out.status, 200);
    assert.equal(browser.cookie, undefined, "the cookie is cleared");
    const stale = new Browser(h);
    stale.cookie = secret;
    assert.equal((await stale.api("GET", "/whoami")).status, 401, "the old secret no longer works");
    assert.ok(
      h.db.sqlite
        .prepare("SELECT 1 FROM operations WHERE operation = 'endWebSession' AND outcome = 'ok' AND actor = ?")
        .get(TEST_USERS.alice),
    );
  });

  void it("only hashes are stored, and no audit record holds a link token or session secret", async () => {
    const h = await createHttpHarness();
    const link = await h.core.createLoginLink(alice);
    const browser = new Browser(h);
    await browser.signIn(`/web/login/${link.token}`);
    const dump = JSON.stringify([
      h.db.sqlite.prepare("SELECT * FROM login_links").all(),
      h.db.sqlite.prepare("SELECT * FROM web_sessions").all(),
      h.db.sqlite.prepare("SELECT * FROM operations").all(),
    ]);
    assert.ok(!dump.includes(link.token));
    assert.ok(!dump.includes(browser.cookie!));
  });
});
