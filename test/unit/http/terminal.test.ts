/**
 * The browser terminal's WebSocket over a real socket (`ws` as the client) and the fake
 * backend's shell: keystrokes in, output out, resize, hang-up on close, audit of open and
 * close without keystrokes; reattach within the grace window (same shell, recent output
 * replayed; another user's or another workload's token is "not found"; after the window the
 * shell ends, audited as detached); and the refusals: a foreign Origin, no session, another
 * user's workload ("not found"), a stopped workload — none of which opens a shell; and a
 * workload stopped for idleness started by opening its terminal, which says so.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { createHttpApp } from "../../../src/adapters/http/app.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/adapters/http/server.js";
import { SESSION_COOKIE } from "../../../src/adapters/http/session.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { actor, createTestCore, TEST_USERS, type TestCore, type TestCoreOptions } from "../../fakes/core-harness.js";
import { createReady } from "../core/helpers.js";
import { workloadOf } from "../../../src/core/api.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const servers: RunningHttpServer[] = [];
after(async () => {
  for (const server of servers) await server.close(100);
});

async function serve(
  options: { readonly terminalReattachMs?: number; readonly core?: TestCoreOptions } = {},
): Promise<{ t: TestCore; url: string; cookieOf: (who: typeof alice) => Promise<string> }> {
  const { core: coreOptions, ...httpOptions } = options;
  const t = createTestCore(coreOptions);
  const server = await startHttpServer(createHttpApp({ core: t.core, ...httpOptions }), { listen: "127.0.0.1:0" });
  servers.push(server);
  return {
    t,
    url: server.url,
    cookieOf: async (who) => {
      const link = await t.core.createLoginLink(who);
      return `${SESSION_COOKIE}=${(await t.core.startWebSession(link.token)).secret}`;
    },
  };
}

/** A connected terminal socket and everything it has received so far. */
interface Connected {
  readonly socket: WebSocket;
  readonly received: { text: string };
}

/** Opens the terminal socket; resolves once open (collecting from the first frame on), or with the refused status. */
function connect(
  url: string,
  name: string,
  headers: Record<string, string>,
  resume?: string,
): Promise<{ socket?: Connected; status?: number }> {
  return new Promise((resolve) => {
    const query = resume === undefined ? "" : `&resume=${encodeURIComponent(resume)}`;
    const socket = new WebSocket(`${url.replace("http", "ws")}/web/terminal/${name}?cols=100&rows=30${query}`, {
      headers,
    });
    const received = { text: "" };
    // Frames can arrive in the same packet as the handshake, before `open` is handled.
    socket.on("message", (data: WebSocket.RawData) => (received.text += Buffer.from(data as Buffer).toString("utf8")));
    socket.once("open", () => resolve({ socket: { socket, received } }));
    socket.once("unexpected-response", (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once("error", () => resolve({ status: -1 }));
  });
}

/** Waits until everything received matches `pattern`. */
async function readUntil(connected: Connected, pattern: RegExp): Promise<string> {
  for (let waited = 0; waited < 5000; waited += 10) {
    if (pattern.test(connected.received.text)) return connected.received.text;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ${pattern} in ${JSON.stringify(connected.received.text)}`);
}

void describe("browser terminal WebSocket", () => {
  void it("runs a command in the owner's workload, passes resizes, hangs up on close, and audits open and close but not keystrokes", async () => {
    const { t, url, cookieOf } = await serve();
    await createReady(t.core, alice, { name: "dev" });
    const origin = url;
    const { socket } = await connect(url, "dev", { cookie: await cookieOf(alice), origin });
    assert.ok(socket);
    await readUntil(socket, /fake\$ /);
    socket.socket.send("0echo hello-from-web\r");
    const output = await readUntil(socket, /0hello-from-web\r\n/);
    assert.match(output, /^2\{"shell":"sh_[0-9a-f]+","resume":"vxr_[A-Za-z0-9_-]{43}","reattached":false\}0fake\$ /);
    socket.socket.send('1{"cols":120,"rows":40}');
    socket.socket.send('1{"cols":1e9,"rows":"x"}');
    socket.socket.send("1not json");
    const closed = new Promise((resolve) => socket.socket.once("close", resolve));
    socket.socket.send("0exit 3\r");
    await readUntil(socket, /1\{"exitCode":3\}/);
    await closed;

    const terminal = t.backend.terminals[0]!.terminal;
    assert.deepEqual(terminal.sizes, [
      { cols: 100, rows: 30 },
      { cols: 120, rows: 40 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const audit = t.db.sqlite
      .prepare(
        "SELECT actor, operation, target, args_json, outcome FROM operations WHERE operation IN ('openShell', 'closeShell') ORDER BY id",
      )
      .all() as { actor: string; operation: string; target: string; args_json: string; outcome: string }[];
    assert.deepEqual(
      audit.map((row) => [row.actor, row.operation, row.target, row.outcome]),
      [
        [TEST_USERS.alice, "openShell", "dev", "ok"],
        [TEST_USERS.alice, "closeShell", "dev", "ok"],
      ],
    );
    assert.match(audit[1]!.args_json, /"exitCode":3/);
    assert.ok(!JSON.stringify(audit).includes("hello-from-web"), "keystrokes are never audited");
  });

  void it("without a grace window, closing the page hangs up the shell", async () => {
    const { t, url, cookieOf } = await serve({ terminalReattachMs: 0 });
    await createReady(t.core, alice, { name: "dev" });
    const { socket } = await connect(url, "dev", { cookie: await cookieOf(alice), origin: url });
    await readUntil(socket!, /fake\$ /);
    socket!.socket.close();
    const terminal = t.backend.terminals[0]!.terminal;
    await terminal.exited;
    assert.equal(terminal.hungUp, true);
  });

  void it("the Close button's end message hangs up the shell at once, whatever the grace window", async () => {
    const { t, url, cookieOf } = await serve();
    await createReady(t.core, alice, { name: "dev" });
    const { socket } = await connect(url, "dev", { cookie: await cookieOf(alice), origin: url });
    await readUntil(socket!, /fake\$ /);
    socket!.socket.send("2");
    await t.backend.terminals[0]!.terminal.exited;
    assert.equal(t.backend.terminals[0]!.terminal.hungUp, true);
  });

  void it("a dropped connection reattaches to the same shell with its recent output; only its own user can, and only within the window", async () => {
    const { t, url, cookieOf } = await serve({ terminalReattachMs: 60_000 });
    await createReady(t.core, alice, { name: "dev" });
    await createReady(t.core, alice, { name: "web" });
    await createReady(t.core, bob, { name: "bobs" });
    const aliceCookie = await cookieOf(alice);
    const first = (await connect(url, "dev", { cookie: aliceCookie, origin: url })).socket!;
    const hello = JSON.parse(/^2(\{[^}]*\})/.exec(await readUntil(first, /fake\$ /))![1]!) as {
      shell: string;
      resume: string;
    };
    first.socket.send("0echo before-the-drop\r");
    await readUntil(first, /before-the-drop\r\n/);
    first.socket.terminate();
    await new Promise((resolve) => first.socket.once("close", resolve));

    // Someone else's token, or the token for another workload, is "not found" (before any upgrade).
    assert.equal((await connect(url, "bobs", { cookie: await cookieOf(bob), origin: url }, hello.resume)).status, 404);
    assert.equal((await connect(url, "dev", { cookie: await cookieOf(bob), origin: url }, hello.resume)).status, 404);
    assert.equal((await connect(url, "web", { cookie: aliceCookie, origin: url }, hello.resume)).status, 404);
    assert.equal(
      (await connect(url, "dev", { cookie: aliceCookie, origin: url }, `vxr_${"A".repeat(43)}`)).status,
      404,
    );
    assert.equal((await connect(url, "dev", { cookie: aliceCookie, origin: url }, "not-a-token")).status, 422);

    const again = (await connect(url, "dev", { cookie: aliceCookie, origin: url }, hello.resume)).socket!;
    const replayed = await readUntil(again, /before-the-drop/);
    assert.ok(
      replayed.startsWith(`2${JSON.stringify({ shell: hello.shell, resume: hello.resume, reattached: true })}`),
      replayed,
    );
    again.socket.send("0echo after-the-drop\r");
    await readUntil(again, /after-the-drop\r\n/);
    assert.equal(t.backend.terminals.length, 1, "the same shell, not a new one");
    assert.match(t.backend.terminals[0]!.terminal.typed, /echo before-the-drop\recho after-the-drop\r/);

    // A second reattach takes the shell over; the first connection is told and closed with 4000.
    const closedWith = new Promise<number>((resolve) => again.socket.once("close", (code) => resolve(code)));
    const third = (await connect(url, "dev", { cookie: aliceCookie, origin: url }, hello.resume)).socket!;
    assert.equal(await closedWith, 4000);
    await readUntil(third, /after-the-drop/);
    third.socket.send("2");
    await t.backend.terminals[0]!.terminal.exited;
    assert.equal(
      (await connect(url, "dev", { cookie: aliceCookie, origin: url }, hello.resume)).status,
      404,
      "an ended shell cannot be reattached",
    );

    const audit = t.db.sqlite
      .prepare(
        "SELECT actor, operation, outcome, error_kind, args_json FROM operations WHERE operation IN ('openShell', 'attachShell', 'closeShell') ORDER BY id",
      )
      .all() as { actor: string; operation: string; outcome: string; error_kind: string | null; args_json: string }[];
    assert.deepEqual(
      audit.map((row) => `${row.actor} ${row.operation} ${row.outcome}${row.error_kind ? `:${row.error_kind}` : ""}`),
      [
        `${TEST_USERS.alice} openShell ok`,
        `${TEST_USERS.bob} attachShell error:not-found`,
        `${TEST_USERS.bob} attachShell error:not-found`,
        `${TEST_USERS.alice} attachShell error:not-found`,
        `${TEST_USERS.alice} attachShell error:not-found`,
        `${TEST_USERS.alice} attachShell error:invalid-input`,
        `${TEST_USERS.alice} attachShell ok`,
        `${TEST_USERS.alice} attachShell ok`,
        `${TEST_USERS.alice} closeShell ok`,
        `${TEST_USERS.alice} attachShell error:not-found`,
      ],
    );
    assert.ok(!JSON.stringify(audit).includes(hello.resume), "the resume token is never audited");
  });

  void it("after the grace window the detached shell ends and its close is audited as detached", async () => {
    const { t, url, cookieOf } = await serve({ terminalReattachMs: 50 });
    await createReady(t.core, alice, { name: "dev" });
    const cookie = await cookieOf(alice);
    const first = (await connect(url, "dev", { cookie, origin: url })).socket!;
    const hello = JSON.parse(/^2(\{[^}]*\})/.exec(await readUntil(first, /fake\$ /))![1]!) as { resume: string };
    first.socket.terminate();
    await t.backend.terminals[0]!.terminal.exited;
    assert.equal(t.backend.terminals[0]!.terminal.hungUp, true);
    assert.equal((await connect(url, "dev", { cookie, origin: url }, hello.resume)).status, 404);
    const closed = t.db.sqlite.prepare("SELECT args_json FROM operations WHERE operation = 'closeShell'").get() as {
      args_json: string;
    };
    assert.match(closed.args_json, /"detached":true/);
  });

  void it("refuses a WebSocket from a foreign Origin (even with a valid cookie), without a session, or without any Origin", async () => {
    const { t, url, cookieOf } = await serve();
    await createReady(t.core, alice, { name: "dev" });
    const cookie = await cookieOf(alice);
    assert.equal((await connect(url, "dev", { cookie, origin: "https://evil.example" })).status, 403);
    assert.equal((await connect(url, "dev", { cookie, origin: "http://127.0.0.1.evil.example" })).status, 403);
    assert.equal((await connect(url, "dev", { cookie })).status, 403);
    assert.equal((await connect(url, "dev", { origin: url })).status, 401);
    assert.equal(
      (await connect(url, "dev", { origin: url, cookie: `${SESSION_COOKIE}=vxs_${"A".repeat(43)}` })).status,
      401,
    );
    assert.equal(t.backend.terminals.length, 0, "no shell was opened");
  });

  void it("another user's workload is not found, like a missing one; a stopped one is a conflict", async () => {
    const { t, url, cookieOf } = await serve();
    await createReady(t.core, alice, { name: "dev" });
    const bobCookie = await cookieOf(bob);
    assert.equal((await connect(url, "dev", { cookie: bobCookie, origin: url })).status, 404);
    assert.equal((await connect(url, "nothere", { cookie: bobCookie, origin: url })).status, 404);
    assert.equal((await connect(url, "BAD..name", { cookie: bobCookie, origin: url })).status, 422);
    workloadOf(await t.core.stop(alice, "dev"));
    assert.equal((await connect(url, "dev", { cookie: await cookieOf(alice), origin: url })).status, 409);
    assert.equal(t.backend.terminals.length, 0);
    const refused = t.db.sqlite
      .prepare("SELECT actor, outcome, error_kind FROM operations WHERE operation = 'openShell' ORDER BY id")
      .all();
    assert.deepEqual(refused[0], { actor: TEST_USERS.bob, outcome: "error", error_kind: "not-found" });
  });

  void it("starts a workload stopped for idleness when its owner opens the terminal, saying so in the terminal; nobody else wakes it", async () => {
    const clock = new FakeClock(new Date("2026-01-05T20:00:00Z"));
    const { t, url, cookieOf } = await serve({
      core: { clock, policy: { idle: { defaultTimeoutMs: 60 * 60_000, warnBeforeMs: 10 * 60_000 } } },
    });
    await createReady(t.core, alice, { name: "dev" });
    clock.advance(55 * 60_000);
    assert.deepEqual((await t.core.idleTick()).warned, ["dev"]);
    clock.advance(10 * 60_000);
    assert.deepEqual((await t.core.idleTick()).stopped, ["dev"]);
    // Another person's connection is "not found" and wakes nothing.
    assert.equal((await connect(url, "dev", { cookie: await cookieOf(bob), origin: url })).status, 404);
    assert.equal(t.backend.containers.get("dev")?.state, "stopped");

    const { socket } = await connect(url, "dev", { cookie: await cookieOf(alice), origin: url });
    assert.ok(socket);
    const text = await readUntil(socket, /fake\$ /);
    assert.match(
      text,
      /^0voxnix: starting dev…\r\n2\{"shell":"sh_[0-9a-f]+","resume":"vxr_[A-Za-z0-9_-]{43}","reattached":false\}0fake\$ /,
    );
    assert.equal(t.backend.containers.get("dev")?.state, "running");
    socket.socket.send("0echo back\r");
    await readUntil(socket, /0back\r\n/);
    const shown = workloadOf(await t.core.show(alice, "dev"));
    assert.equal(shown.desired, "running");
    assert.equal(shown.idle?.stoppedForIdleAt, undefined);
    assert.equal(shown.idle?.lastActivity.kind, "web terminal");
    const starts = t.db.sqlite
      .prepare("SELECT actor, args_json FROM operations WHERE operation = 'start' ORDER BY id")
      .all() as { actor: string; args_json: string }[];
    assert.deepEqual(
      starts.map((row) => [row.actor, JSON.parse(row.args_json)]),
      [[TEST_USERS.alice, { name: "dev", reason: "connect" }]],
    );
    socket.socket.send("2");
    await t.backend.terminals[0]!.terminal.exited;

    // A workload its owner stopped by hand is not started by opening the terminal.
    workloadOf(await t.core.stop(alice, "dev"));
    assert.equal((await connect(url, "dev", { cookie: await cookieOf(alice), origin: url })).status, 409);
    assert.equal(t.backend.containers.get("dev")?.state, "stopped");
  });

  void it("a start that fails while the terminal waits is written into the terminal, which ends like an exited shell", async () => {
    const clock = new FakeClock(new Date("2026-01-05T20:00:00Z"));
    const { t, url, cookieOf } = await serve({
      core: { clock, policy: { idle: { defaultTimeoutMs: 60 * 60_000, warnBeforeMs: 10 * 60_000 } } },
    });
    await createReady(t.core, alice, { name: "dev" });
    clock.advance(55 * 60_000);
    await t.core.idleTick();
    clock.advance(10 * 60_000);
    assert.deepEqual((await t.core.idleTick()).stopped, ["dev"]);
    t.backend.failNext("start", new Error("machinectl: the container exited while booting"));
    const { socket } = await connect(url, "dev", { cookie: await cookieOf(alice), origin: url });
    assert.ok(socket);
    const closed = new Promise<number>((resolve) => socket.socket.once("close", (code) => resolve(code)));
    const text = await readUntil(socket, /1\{"exitCode":null\}/);
    assert.match(text, /^0voxnix: starting dev…\r\n0voxnix: .+\r\n1\{"exitCode":null\}$/);
    assert.equal(await closed, 1000);
    assert.equal(t.backend.terminals.length, 0);
  });

  void it("a plain GET (no upgrade) is refused and opens nothing", async () => {
    const { t, url, cookieOf } = await serve();
    await createReady(t.core, alice, { name: "dev" });
    const answer = await fetch(`${url}/web/terminal/dev`, { headers: { cookie: await cookieOf(alice), origin: url } });
    assert.equal(answer.status, 426);
    assert.equal(t.backend.terminals.length, 0);
  });
});
