/**
 * The built bot (`node bin/voxnix.js telegram` from dist/bundle) against the fake Bot API:
 * start-up, a refused or revoked token, 409 conflicts, outages and dead connections.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { FakeTelegramServer } from "../../fakes/fake-telegram-server.js";
import { useBotFixture, type BotHome } from "./harness.js";

let server: FakeTelegramServer;
let home: BotHome;
useBotFixture((fixture) => {
  ({ server, home } = fixture);
});

const ALICE = { id: 42, firstName: "Alice" };

/** The first line a TCP server on 127.0.0.1:`port` sends. */
function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => socket.destroy(new Error("no banner in 5 s")), 5000);
    socket.once("data", (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk.toString("latin1"));
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Live processes (other than `pid` itself) whose environment names this bot home: what a bot started. */
function processesOf(root: string, pid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(`FAKE_HOST_ROOT=${root}`))
        found.push(`${entry}: ${readFileSync(`/proc/${entry}/cmdline`, "latin1").replaceAll("\0", " ")}`);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

async function askHelp(): Promise<void> {
  const before = server.messagesIn(ALICE.id).length;
  server.sendText(ALICE, "/help");
  await server.waitFor("the help", () => server.messagesIn(ALICE.id).length > before, 20_000);
}

describe("the built bot", () => {
  it("exits 2 with the token message when Telegram refuses the token", async () => {
    const bot = home.entry(server.apiRoot, { VOXNIX_TELEGRAM_TOKEN: "999:WRONG-secret" });
    const exit = await bot.exited;
    assert.equal(exit.code, 2, bot.stderr);
    assert.match(bot.stderr, /Telegram refused the bot token \(401 Unauthorized\)/);
    assert.doesNotMatch(bot.stderr, /instanceof|This is a bug/);
    assert.ok(!bot.stderr.includes("WRONG-secret"));
  });

  it("logs one line when ready, answers, and exits 0 on SIGTERM", async () => {
    const bot = home.entry(server.apiRoot);
    await bot.waitForOutput(/is polling/);
    // stderr (the log) and stdout (the lines people read) are separate pipes: wait for both.
    await bot.waitForOutput(/"msg":"services running"/);
    assert.equal(bot.logLines(/ready/).length, 1);
    await askHelp();
    bot.signal("SIGTERM");
    const exit = await bot.exited;
    assert.equal(exit.code, 0, bot.stderr);
    assert.match(bot.stdout, /stopped/);
  });

  it("voxnix serve runs the bot, the HTTP API and the reconcile timer in one process, and stops on SIGTERM with exit 0", async () => {
    const bot = home.entry(server.apiRoot, { VOXNIX_HTTP_LISTEN: "127.0.0.1:0" }, "serve");
    await bot.waitForOutput(/voxnix serve: reconciling every 10 min/);
    assert.match(bot.stdout, /voxnix serve: @voxnix_test_bot is polling/);
    await bot.waitForOutput(/"msg":"services running"/);
    assert.equal(bot.logLines(/ready/).length, 1);
    const running = bot.logLines(/services running/);
    assert.equal(running.length, 1, "one line says what runs");
    assert.deepEqual(running[0]?.services, ["telegram", "http", "reconcile", "idle"]);
    const url = /"event":"http-ready","url":"([^"]+)"/.exec(bot.stdout)?.[1];
    assert.ok(url, bot.stdout);
    const openapi = await fetch(`${url}/api/v1/openapi.json`);
    assert.equal(openapi.status, 200, "the HTTP API answers from the same process");
    // The page's address on the port actually bound, and that it opens on this machine only (no http.publicUrl).
    const printed =
      /voxnix serve: The dashboard is at (\S+) \(on this machine only: http\.listen is 127\.0\.0\.1:(\d+)\)\.\n/.exec(
        bot.stdout,
      );
    assert.ok(printed, bot.stdout);
    assert.equal(printed[1], `${url}/web/`);
    assert.equal(`http://127.0.0.1:${printed[2]}`, url);
    assert.match(
      bot.stdout,
      new RegExp(
        `\\nFrom another computer: ssh -L ${printed[2]}:localhost:${printed[2]} \\S+, then open the same address there; to share it, set http\\.publicUrl \\(docs/web\\.md\\)\\.\\n`,
      ),
    );
    assert.match(
      bot.stdout,
      new RegExp(
        `\\nThe HTTP API is at ${url.replace(/\./g, "\\.")}/api/v1; voxnix web link prints a login link\\.\\n`,
      ),
    );
    assert.equal((await fetch(printed[1])).status, 401, "the printed address is the dashboard (it wants a login link)");
    assert.equal((await fetch(`${url}/api/v1/whoami`)).status, 401, "the API wants a token");
    assert.equal((await fetch(`${url}/web/`)).status, 401, "the dashboard answers (and wants a login link)");
    await askHelp();
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
    assert.match(bot.stdout, /voxnix serve: stopped\./);
    await assert.rejects(fetch(`${url}/api/v1/openapi.json`), "the API stopped with it");
  });

  it("voxnix serve with the SSH gateway: every service ready, every port closed and no process left after SIGTERM", async () => {
    const configFile = join(home.root, "voxnix.json");
    writeFileSync(configFile, JSON.stringify({ ssh: { enabled: true, listen: "127.0.0.1:0" } }));
    const bot = home.entry(server.apiRoot, { VOXNIX_CONFIG: configFile, VOXNIX_HTTP_LISTEN: "127.0.0.1:0" }, "serve");
    await bot.waitForOutput(/"msg":"services running"/);
    assert.deepEqual(bot.logLines(/services running/)[0]?.services, ["telegram", "http", "ssh", "reconcile", "idle"]);
    const sshPort = (JSON.parse(/^\{"event":"ssh-ready".*$/m.exec(bot.stdout)![0]) as { port: number }).port;
    const url = /"event":"http-ready","url":"([^"]+)"/.exec(bot.stdout)![1]!;
    assert.match(await banner(sshPort), /^SSH-2\.0-/, "the gateway speaks SSH");
    assert.equal((await fetch(`${url}/api/v1/openapi.json`)).status, 200);
    await askHelp();
    assert.ok(
      processesOf(home.root, -1).some((line) => line.startsWith(`${bot.pid}: `)),
      "the process check sees the serve process itself",
    );
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
    assert.match(bot.stdout, /voxnix serve: stopped\./);
    await assert.rejects(banner(sshPort), /ECONNREFUSED/, "the SSH port is closed");
    await assert.rejects(fetch(`${url}/api/v1/openapi.json`), "the HTTP port is closed");
    assert.deepEqual(processesOf(home.root, bot.pid), [], "no process it started outlives it");
  });

  it("keeps answering through 409 Conflict from getUpdates, logging it once", async () => {
    const bot = home.entry(server.apiRoot);
    await bot.waitForOutput(/is polling/);
    await askHelp();
    server.fail("getUpdates", { status: 409 }, 3);
    await askHelp();
    await askHelp();
    assert.equal(bot.logLines(/409 Conflict/).length, 1, bot.stderr);
    assert.doesNotMatch(bot.stderr, /at .*\.js:\d+/, "no stack trace");
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
  });

  it("exits 2 with the token message when the token is revoked while polling", async () => {
    const bot = home.entry(server.apiRoot);
    await bot.waitForOutput(/is polling/);
    server.fail("getUpdates", { status: 401 });
    const exit = await bot.exited;
    assert.equal(exit.code, 2, bot.stderr);
    assert.match(bot.stderr, /Telegram refused the bot token/);
  });

  it("logs a lost and a regained connection once each, and a dead long poll does not stall updates", async () => {
    const bot = home.entry(server.apiRoot);
    await bot.waitForOutput(/is polling/);
    server.dropConnections("getUpdates", 2);
    await askHelp();
    await bot.waitForOutput(/answers again/);
    assert.equal(bot.logLines(/lost the connection/).length, 1, bot.stderr);
    assert.equal(bot.logLines(/answers again/).length, 1, bot.stderr);
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
  });

  it("says so while the Bot API is unreachable at start-up", async () => {
    const bot = home.entry("http://127.0.0.1:9");
    await bot.waitForOutput(/lost the connection to the Telegram Bot API/);
    await bot.kill();
  });

  it("starts without the command menus when Telegram refuses them", async () => {
    server.fail("setMyCommands", { status: 400, description: "Bad Request: BOT_COMMANDS_TOO_MUCH" }, 2);
    const bot = home.entry(server.apiRoot);
    await bot.waitForOutput(/is polling/);
    await askHelp();
    assert.equal(bot.logLines(/command menus/).length, 1);
    bot.signal("SIGTERM");
    assert.equal((await bot.exited).code, 0, bot.stderr);
  });
});
