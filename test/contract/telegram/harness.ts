/**
 * Runs the **built** bot — `dist/bundle/cli`, the code `voxnix telegram` runs — as a child
 * process against the fake Bot API, so what the bundler does to dependencies is tested too.
 * Two ways in: `node bin/voxnix.js telegram` itself (start-up, tokens, conflicts), or
 * `test/fakes/bin/voxnix-fake-host.mjs telegram`, the same CLI over the fake NixOS host
 * programs (containers, a destroy that takes a while). Every process gets its own temporary
 * state directory and host root, and is killed after the test if it is still running.
 *
 * The bundle is rebuilt (`npm run build`) when it is missing or older than the sources.
 *
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, before, beforeEach } from "node:test";
import { FakeTelegramServer } from "../../fakes/fake-telegram-server.js";
import { FAKE_BIN } from "../nixos/harness.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BUNDLE = join(ROOT, "dist", "bundle", "cli", "main.js");
const LAUNCHER = join(ROOT, "test", "fakes", "bin", "voxnix-fake-host.mjs");

/** The bot token the fake accepts. */
export const TOKEN = "123456:BUILT-bot-token";

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts"))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the bundle when it is missing or stale (once per test file). */
export function ensureBuilt(): void {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource(join(ROOT, "src"))) return;
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore", timeout: 300_000 });
}

/** What a finished process left behind. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running bot process. */
export class BuiltBot {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(args: readonly string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (chunk: Buffer) => this.append("stdout", chunk));
    this.child.stderr!.on("data", (chunk: Buffer) => this.append("stderr", chunk));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** The bot process's id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Sends a signal to the bot process only (not to the host commands it runs). */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Resolves once stdout or stderr matches `pattern`; rejects after `timeoutMs`. */
  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    if (pattern.test(this.stdout + this.stderr)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.stdout + this.stderr)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern}; stdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      void this.exited.then((exit) => {
        if (!this.listeners.has(check)) return;
        cleanup();
        reject(
          new Error(
            `the bot exited (${JSON.stringify(exit)}) before ${pattern}; stdout: ${this.stdout}\nstderr: ${this.stderr}`,
          ),
        );
      });
    });
  }

  /** Log lines (JSON) whose `msg` matches `pattern`. */
  logLines(pattern: RegExp): Record<string, unknown>[] {
    return this.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => pattern.test(String(line.msg)));
  }

  /** Kills the process if it still runs. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  private append(stream: "stdout" | "stderr", chunk: Buffer): void {
    this[stream] += chunk.toString("utf8");
    for (const check of [...this.listeners]) check();
  }
}

/** A state directory and fake host root shared by the bot processes of one test (restarts keep them). */
export class BotHome {
  readonly root = mkdtempSync(join(tmpdir(), "voxnix-built-bot-"));
  private readonly bots: BuiltBot[] = [];

  constructor() {
    mkdirSync(join(this.root, "etc", "nixos-containers"), { recursive: true });
    mkdirSync(join(this.root, "etc", "systemd-mutable", "system"), { recursive: true });
  }

  /** The environment of a bot process: a temporary state directory, admins 1, allowlist 42 and 43. */
  env(apiRoot: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`,
      HOME: this.root,
      FAKE_HOST_ROOT: this.root,
      VOXNIX_STATE_DIR: join(this.root, "state"),
      VOXNIX_TELEGRAM_TOKEN: TOKEN,
      VOXNIX_TELEGRAM_API_ROOT: apiRoot,
      VOXNIX_ADMINS: "telegram:1",
      VOXNIX_ALLOWLIST: "telegram:42,telegram:43",
      VOXNIX_LOG_LEVEL: "info",
      VOXNIX_ENTRY: "bundle",
      ...extra,
    };
  }

  /** `node bin/voxnix.js telegram`, exactly as people run it. */
  entry(apiRoot: string, extra: Record<string, string> = {}, command = "telegram"): BuiltBot {
    return this.track(new BuiltBot([join(ROOT, "bin", "voxnix.js"), command], this.env(apiRoot, extra)));
  }

  /** The built CLI over the fake NixOS host (nixos backend, fake zfs). */
  overFakeHost(apiRoot: string, extra: Record<string, string> = {}): BuiltBot {
    return this.track(
      new BuiltBot(
        [LAUNCHER, "telegram"],
        this.env(apiRoot, { VOXNIX_BACKEND: "nixos", VOXNIX_NIXOS_FLAKE_PATH: ROOT, ...extra }),
      ),
    );
  }

  async dispose(): Promise<void> {
    for (const bot of this.bots) await bot.kill();
    rmSync(this.root, { recursive: true, force: true });
  }

  private track(bot: BuiltBot): BuiltBot {
    this.bots.push(bot);
    return bot;
  }
}

/**
 * Registers what every built-bot test file needs: the bundle built once, and a fresh fake Bot
 * API and bot home per test (handed to `assign`), both disposed of after it.
 */
export function useBotFixture(
  assign: (fixture: { readonly server: FakeTelegramServer; readonly home: BotHome }) => void,
): void {
  let current: { readonly server: FakeTelegramServer; readonly home: BotHome } | undefined;
  before(() => ensureBuilt());
  beforeEach(async () => {
    current = { server: await new FakeTelegramServer({ validToken: TOKEN }).start(), home: new BotHome() };
    assign(current);
  });
  afterEach(async () => {
    await current?.home.dispose();
    await current?.server.stop();
  });
}
