/**
 * Stop what nobody uses, for someone without Telegram, end to end: `voxnix serve` (HTTP, the
 * SSH gateway and the idle timers, checked every second; no bot) over a real nspawn container
 * created with `--idle-timeout` through the built CLI. Traffic through a real OpenSSH port
 * forward (`ssh -L`) to a server in the container keeps it running past its timeout; once the
 * traffic stops, the owner's open SSH terminal and the dashboard in real headless Chromium show
 * the warning; the container stops on its own, and opening its browser terminal starts it again
 * ("voxnix: starting web…") and gives a shell.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv } from "./harness.js";

const CHROMIUM = "/usr/bin/chromium";
const skip =
  e2eUnavailable() ??
  (existsSync("/usr/bin/ssh") ? undefined : "the OpenSSH client is missing (apt-get install -y openssh-client)") ??
  (existsSync(CHROMIUM) ? undefined : "chromium is missing (apt-get install -y chromium)");
const CLI = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));
const ALICE = "local:alice";
const TIMEOUT_S = 40;

interface Shown {
  readonly desired: string;
  readonly live: string;
  readonly idle?: {
    readonly timeoutMs: number;
    readonly source: string;
    readonly lastActivity: { readonly kind: string };
    readonly warnedAt?: string;
    readonly stoppedForIdleAt?: string;
  };
}

/** The page's globals as functions run inside it see them (this file has no DOM types). */
interface PageGlobals {
  readonly document: { querySelector(selector: string): { readonly textContent: string | null } | null };
}

/** Sends one line to 127.0.0.1:`port` and resolves with what comes back (an echo server answers it). */
function echo(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no echo through the forward (got ${JSON.stringify(answer)})`));
    }, 20_000);
    socket.on("connect", () => socket.write(`${line}\n`));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes("\n")) {
        clearTimeout(timer);
        socket.end();
        resolve(answer.trim());
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe(
  "idle timers reach people without Telegram: forwarded traffic, dashboard and SSH warnings, the browser terminal wakes",
  { skip, timeout: 20 * 60_000 },
  () => {
    let env: E2eEnv;
    let serve: ChildProcess | undefined;
    let serveOutput = "";
    let keys = "";
    let sshPort = 0;
    let url = "";
    let browser: Browser | undefined;
    let page: Page;
    const children: ChildProcess[] = [];
    const { step, failed } = storySteps();

    const sshArgs = (extra: readonly string[]) => [
      "-p",
      String(sshPort),
      "-i",
      path.join(keys, "alice"),
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${path.join(keys, "known_hosts")}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "ConnectTimeout=20",
      "-F",
      "/dev/null",
      ...extra,
    ];
    const show = async (): Promise<Shown> => {
      const shown = await voxnix(env, ["--json", "--as", ALICE, "ctl", "show", "web"]);
      assert.equal(shown.code, 0, shown.stdout + shown.stderr);
      return (JSON.parse(shown.stdout) as { result: Shown }).result;
    };
    const screen = () =>
      page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
      );

    before(async () => {
      keys = mkdtempSync("/var/tmp/vx-idle-reach-");
      env = await createE2eEnv({
        extraConfig: {
          ssh: { enabled: true, listen: "127.0.0.1:0" },
          http: { listen: "127.0.0.1:0" },
          serve: { reconcileMinutes: 0 },
          idle: { timeout: "off", warnBefore: "15s", checkEverySeconds: 1 },
        },
      });
      const made = spawn("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "alice@test",
        "-f",
        path.join(keys, "alice"),
      ]);
      assert.equal(await new Promise((resolve) => made.once("exit", resolve)), 0);
      chmodSync(path.join(keys, "alice"), 0o600);
    });
    after(async () => {
      for (const child of children) child.kill("SIGKILL");
      await browser?.close();
      serve?.kill("SIGTERM");
      if (keys) rmSync(keys, { recursive: true, force: true });
      await env?.cleanup(failed());
    });

    step("alice creates web with its own idle timeout through the built CLI, and registers a key", async () => {
      const created = await voxnix(env, ["--as", ALICE, "ctl", "create", "web", "--idle-timeout", `${TIMEOUT_S}s`]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      const shown = await show();
      assert.deepEqual([shown.idle?.timeoutMs, shown.idle?.source], [TIMEOUT_S * 1000, "workload"]);
      const added = await voxnix(env, ["users", "key", "add", ALICE, path.join(keys, "alice.pub")]);
      assert.equal(added.code, 0, added.stdout + added.stderr);
    });

    step("voxnix serve runs the dashboard, the gateway and the idle timers (no Telegram)", async () => {
      serve = spawn(process.execPath, [CLI, "serve"], { env: env.env, stdio: ["ignore", "pipe", "pipe"] });
      serve.stdout!.on("data", (chunk: Buffer) => (serveOutput += chunk.toString()));
      serve.stderr!.on("data", (chunk: Buffer) => (serveOutput += chunk.toString()));
      const line = (event: string) =>
        serveOutput.split("\n").find((candidate) => candidate.startsWith(`{"event":"${event}"`));
      assert.ok(
        await waitUntil(
          () =>
            line("ssh-ready") !== undefined &&
            line("http-ready") !== undefined &&
            serveOutput.includes("idle timers checked every 1 s"),
          60_000,
        ),
        `serve did not get ready: ${serveOutput}`,
      );
      const ready = JSON.parse(line("ssh-ready")!) as { port: number; hostKey: string };
      sshPort = ready.port;
      writeFileSync(path.join(keys, "known_hosts"), `[127.0.0.1]:${sshPort} ${ready.hostKey}\n`);
      url = (JSON.parse(line("http-ready")!) as { url: string }).url;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      page = await browser.newPage();
      const link = await voxnix(env, ["--as", ALICE, "--json", "web", "link"]);
      assert.equal(link.code, 0, link.stderr);
      await page.goto(
        (JSON.parse(link.stdout) as { result: { url: string } }).result.url.replace(/^https?:\/\/[^/]+/, url),
      );
      await page.getByRole("button", { name: "Open my dashboard" }).click();
      await page.getByRole("heading", { name: "Your workloads" }).waitFor();
    });

    step(`traffic through an ssh -L forward keeps web running past its ${TIMEOUT_S} s timeout`, async () => {
      // A line echo server in the container on all its addresses (a forward reaches the workload's own
      // address, never its loopback), started over SSH (the session is one activity, then silent).
      const server = spawn(
        "ssh",
        sshArgs([
          "web@127.0.0.1",
          "perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die $!; $|=1; print qq(listening\\n); while($c=$s->accept){while(<$c>){print $c $_} close $c}'",
        ]),
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      children.push(server);
      let serverOut = "";
      server.stdout.on("data", (chunk: Buffer) => (serverOut += chunk.toString()));
      server.stderr.on("data", (chunk: Buffer) => (serverOut += chunk.toString()));
      assert.ok(
        await waitUntil(() => serverOut.includes("listening"), 60_000),
        `the echo server did not start: ${serverOut}`,
      );
      const localPort = 20_000 + Math.floor(Math.random() * 20_000);
      const forward = spawn("ssh", sshArgs(["-N", "-L", `${localPort}:localhost:8080`, "web@127.0.0.1"]), {
        stdio: "ignore",
      });
      children.push(forward);
      // The client needs a moment to log in and listen on the local port.
      let echoed = "";
      for (let attempt = 0; attempt < 30 && echoed !== "hello"; attempt += 1) {
        echoed = await echo(localPort, "hello").catch(() => "");
        if (echoed !== "hello") await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assert.equal(echoed, "hello", "the forward carries traffic");
      // Bytes every 10 s for 1.5 timeouts: never warned, never stopped.
      const until = Date.now() + TIMEOUT_S * 1500;
      while (Date.now() < until) {
        assert.equal(await echo(localPort, `ping ${Date.now()}`).then((answer) => answer.startsWith("ping")), true);
        await new Promise((resolve) => setTimeout(resolve, 10_000));
      }
      const shown = await show();
      assert.equal(shown.live, "running", serveOutput.slice(-2000));
      assert.equal(shown.idle?.lastActivity.kind, "port forward");
      assert.equal(shown.idle?.warnedAt, undefined);
      forward.kill("SIGTERM");
    });

    step("when the traffic stops, the owner's open SSH terminal and the dashboard show the warning", async () => {
      // A terminal session nobody types into (its opening is the last activity).
      const terminal = spawn("ssh", sshArgs(["-tt", "web@127.0.0.1"]), { stdio: ["pipe", "pipe", "pipe"] });
      children.push(terminal);
      let told = "";
      terminal.stdout.on("data", (chunk: Buffer) => (told += chunk.toString()));
      terminal.stderr.on("data", (chunk: Buffer) => (told += chunk.toString()));
      const banner = page.getByTestId("idle-web");
      await banner
        .filter({ hasText: /web stops at \d\d:\d\d because nobody has used it/ })
        .waitFor({ timeout: 120_000 });
      await page.getByRole("button", { name: "Keep web running" }).waitFor();
      assert.ok(
        await waitUntil(
          () =>
            /voxnix: ⏰ web stops in \d+ (minute|minutes) \(at \d\d:\d\d\) because nobody has used it; type anything here to keep it running\./.test(
              told,
            ),
          30_000,
        ),
        `no warning in the SSH terminal: ${JSON.stringify(told.slice(-500))}`,
      );
      assert.ok((await show()).idle?.warnedAt);
    });

    step("web stops on its own; the dashboard says so", async () => {
      await page
        .getByTestId("idle-web")
        .filter({ hasText: /web was stopped at \d\d:\d\d because nobody used it/ })
        .waitFor({ timeout: 120_000 });
      const stopped = await show();
      assert.equal(stopped.desired, "stopped");
      assert.ok(stopped.idle?.stoppedForIdleAt);
    });

    step("opening its browser terminal starts web again, says so, and gives a shell", async () => {
      await page.locator('[data-action="terminal-web"]').click();
      await page.waitForFunction(
        () =>
          /voxnix: starting web…/.test(
            (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
          ),
        undefined,
        { timeout: 60_000 },
      );
      await page.waitForFunction(
        () =>
          /root@/.test((globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? ""),
        undefined,
        { timeout: 180_000 },
      );
      await page.getByTestId("terminal").click();
      await page.keyboard.type("cat /etc/hostname");
      await page.keyboard.press("Enter");
      await page
        .waitForFunction(
          () =>
            /\nweb|web\s*root@/.test(
              (globalThis as unknown as PageGlobals).document.querySelector(".xterm-rows")?.textContent ?? "",
            ),
          undefined,
          { timeout: 60_000 },
        )
        .catch(async () => assert.fail(`no hostname on screen: ${await screen()}`));
      const back = await show();
      assert.equal(back.desired, "running");
      assert.equal(back.live, "running");
      assert.equal(back.idle?.stoppedForIdleAt, undefined);
      assert.equal(back.idle?.lastActivity.kind, "web terminal");
    });
  },
);
