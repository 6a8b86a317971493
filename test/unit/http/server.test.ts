/**
 * The API on a real socket (127.0.0.1, port 0) through fetch, and `close()` letting a request
 * in flight finish.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseListen, startHttpServer } from "../../../src/adapters/http/server.js";
import { createHttpHarness } from "../../fakes/http-harness.js";

void describe("startHttpServer", () => {
  void it("serves the API on 127.0.0.1 port 0: auth, list, SSE and 404", async () => {
    const h = await createHttpHarness();
    const server = await startHttpServer(h.app, { listen: "127.0.0.1:0" });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const headers = { authorization: `Bearer ${h.tokens.owner}` };
      assert.equal((await fetch(`${server.url}/api/v1/workloads`)).status, 401);
      const list = await fetch(`${server.url}/api/v1/workloads`, { headers });
      assert.equal(list.status, 200);
      assert.deepEqual(await list.json(), { ok: true, result: { workloads: [] } });
      const created = await fetch(`${server.url}/api/v1/workloads`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ name: "dev" }),
      });
      assert.equal(created.status, 202);
      const { result } = (await created.json()) as { result: { events: string } };
      const events = await fetch(`${server.url}${result.events}`, { headers });
      assert.match(await events.text(), /event: job-end/);
      const missing = await fetch(`${server.url}/api/v1/nope`, { headers });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { kind: string } }).error.kind, "not-found");
    } finally {
      await server.close(1000);
      await h.core.idle();
    }
    await assert.rejects(fetch(`${server.url}/api/v1/workloads`));
  });

  void it("close() lets a request in flight finish", async () => {
    const h = await createHttpHarness();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      fetch: async (request: Request) =>
        new URL(request.url).pathname === "/slow" ? (await gate, new Response("done")) : h.app.fetch(request),
    };
    const server = await startHttpServer(slow, { listen: "127.0.0.1:0" });
    const inFlight = fetch(`${server.url}/slow`).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close(5000);
    release();
    assert.equal(await inFlight, "done");
    await closed;
  });

  void it("parses host:port and [v6]:port", () => {
    assert.deepEqual(parseListen("127.0.0.1:8710"), { hostname: "127.0.0.1", port: 8710 });
    assert.deepEqual(parseListen("[::1]:0"), { hostname: "::1", port: 0 });
  });
});
