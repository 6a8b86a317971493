/**
 * Stop what nobody uses, end to end: `voxnix serve` (the Telegram bot against the fake Bot
 * API, the SSH gateway and the idle timers, checked every second) over a real nspawn
 * container with a timeout of seconds. Set through the built CLI, the timer shows in `ctl
 * show`; an SSH command counts as activity; the owner gets a warning in their chat, the
 * container stops on its own, and comes back when its owner connects with the real OpenSSH
 * client ("starting web…").
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe } from "node:test";
import { machinePaths } from "../../src/runtimes/nspawn/index.js";
import { FakeTelegramServer } from "../fakes/fake-telegram-server.js";
import { createE2eEnv, e2eUnavailable, storySteps, voxnix, waitUntil, type E2eEnv, runProgram } from "./harness.js";

/** Host programs here (a VM under emulation, an idle wake) get two minutes unless told. */
const slowRun = (command: string, args: readonly string[], options: Parameters<typeof runProgram>[2] = {}) =>
  runProgram(command, args, { timeoutMs: 120_000, ...options });

const skip =
  e2eUnavailable() ??
  (existsSync("/usr/bin/ssh") ? undefined : "the OpenSSH client is missing (apt-get install -y openssh-client)");
const ALICE = "telegram:42";
const TOKEN = "123456:IDLE-e2e-token";

interface Shown {
  readonly desired: string;
  readonly live: string;
  readonly idle?: {
    readonly timeoutMs: number;
    readonly summary: string;
    readonly lastActivity: { readonly kind: string };
    readonly stoppedForIdleAt?: string;
  };
}

describe(
  "idle timers end-to-end: a real container stops on its own and comes back over SSH",
  { skip, timeout: 15 * 60_000 },
  () => {
    let env: E2eEnv;
    let telegram: FakeTelegramServer;
    let serve: ChildProcess | undefined;
    let serveOutput = "";
    let keys = "";
    let port = 0;
    const { step, failed } = storySteps();

    const ssh = (command: readonly string[]) =>
      slowRun("ssh", [
        "-p",
        String(port),
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
        "web@127.0.0.1",
        ...command,
      ]);
    const show = async (): Promise<Shown> => {
      const shown = await voxnix(env, ["--json", "--as", ALICE, "ctl", "show", "web"]);
      assert.equal(shown.code, 0, shown.stdout + shown.stderr);
      return (JSON.parse(shown.stdout) as { result: Shown }).result;
    };

    before(async () => {
      telegram = await new FakeTelegramServer({ validToken: TOKEN }).start();
      keys = mkdtempSync("/var/tmp/vx-idle-keys-");
      const tokenFile = path.join(keys, "telegram-token");
      writeFileSync(tokenFile, TOKEN);
      chmodSync(tokenFile, 0o600);
      env = await createE2eEnv({
        extraConfig: {
          ssh: { enabled: true, listen: "127.0.0.1:0" },
          telegram: { tokenFile, apiRoot: telegram.apiRoot },
          serve: { http: false, reconcileMinutes: 0 },
          idle: { timeout: "30m", warnBefore: "15s", checkEverySeconds: 1 },
        },
      });
      const made = await slowRun("ssh-keygen", [
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
      assert.equal(made.code, 0, made.stderr);
    });
    after(async () => {
      serve?.kill("SIGTERM");
      await telegram?.stop();
      if (keys) rmSync(keys, { recursive: true, force: true });
      await env?.cleanup(failed());
    });

    step("alice has a container and a registered key", async () => {
      const created = await voxnix(env, ["--as", ALICE, "ctl", "create", "web"]);
      assert.equal(created.code, 0, created.stdout + created.stderr);
      const added = await voxnix(env, ["users", "key", "add", ALICE, path.join(keys, "alice.pub")]);
      assert.equal(added.code, 0, added.stdout + added.stderr);
    });

    step("voxnix serve runs the bot, the gateway and the idle timers", async () => {
      serve = spawn(process.execPath, [path.resolve("bin/voxnix.js"), "serve"], {
        env: env.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      serve.stdout!.on("data", (chunk: Buffer) => (serveOutput += chunk.toString()));
      serve.stderr!.on("data", (chunk: Buffer) => (serveOutput += chunk.toString()));
      const readyLine = () => serveOutput.split("\n").find((line) => line.startsWith('{"event":"ssh-ready"'));
      assert.ok(
        await waitUntil(
          () => readyLine() !== undefined && serveOutput.includes("idle timers checked every 1 s"),
          60_000,
        ),
        `serve did not get ready: ${serveOutput}`,
      );
      const ready = JSON.parse(readyLine()!) as { port: number; hostKey: string };
      port = ready.port;
      writeFileSync(path.join(keys, "known_hosts"), `[127.0.0.1]:${port} ${ready.hostKey}\n`);
    });

    step("the owner sets a short timeout through the CLI, and show says when and why it stops", async () => {
      const set = await voxnix(env, ["--as", ALICE, "ctl", "idle", "web", "45s"]);
      assert.equal(set.code, 0, set.stdout + set.stderr);
      assert.match(set.stdout, /^web: stops at \d\d:\d\d if idle \(timeout 45s, last activity \d\d:\d\d keep\)$/m);
      const text = await voxnix(env, ["--as", ALICE, "ctl", "show", "web"]);
      assert.match(text.stdout, /idle:\s+stops at \d\d:\d\d if idle \(timeout 45s, last activity \d\d:\d\d keep\)/);
    });

    step("an SSH command is activity", async () => {
      const result = await ssh(["echo", "hello"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), "hello");
      assert.equal((await show()).idle?.lastActivity.kind, "ssh session");
    });

    step("the owner is warned in their chat, then the container stops on its own", async () => {
      const warning = await telegram.waitFor(
        "the idle warning",
        () => telegram.messagesIn(42).find((message) => message.visibleText.includes("web stops in")),
        120_000,
      );
      assert.match(warning.visibleText, /because nobody has used it; reply keep to keep it running\./);
      assert.deepEqual(
        telegram.buttonsOf(warning.messageId).map((button) => button.data),
        ["k:web"],
      );
      assert.ok(
        await waitUntil(
          () => telegram.messagesIn(42).some((message) => message.visibleText.startsWith("💤 web was stopped")),
          120_000,
        ),
        `no stop notice: ${serveOutput.slice(-2000)}`,
      );
      const stopped = await show();
      assert.equal(stopped.desired, "stopped");
      assert.notEqual(stopped.live, "running");
      assert.ok(stopped.idle?.stoppedForIdleAt);
      assert.match(
        stopped.idle.summary,
        /^stopped for idleness at \d\d:\d\d; starts again when you connect over SSH or ask$/,
      );
    });

    step("it comes back when its owner connects through the SSH gateway", async () => {
      const result = await ssh(["cat", "/etc/hostname"]);
      const consoleLog = () => {
        try {
          return readFileSync(machinePaths(env.backend().paths, "web").console, "utf8").slice(-3000);
        } catch {
          return "(no console log)";
        }
      };
      assert.equal(
        result.code,
        0,
        `${result.stderr}\n--- serve:\n${serveOutput.slice(-3000)}\n--- console:\n${consoleLog()}`,
      );
      assert.match(result.stderr, /voxnix: starting web…/);
      assert.equal(result.stdout.trim(), "web");
      const back = await show();
      assert.equal(back.desired, "running");
      assert.equal(back.live, "running");
      assert.equal(back.idle?.stoppedForIdleAt, undefined);
    });
  },
);
