/**
 * The end-to-end harness: a throw-away voxnix installation per test file, with its own state
 * directory, btrfs loop image, bridge name and subnet, so runs never collide, and cleanup that
 * removes every container, interface, rule, mount and file even after a failure (unless
 * `VOXNIX_INSPECT=1`, which keeps the environment of a failed test for a look).
 *
 * The Debian download is shared: the first run debootstraps into `VOXNIX_TEST_CACHE`
 * (default /var/cache/voxnix-test) and every environment imports a copy from there.
 *
 * @module
 */
import { it } from "node:test";
import { randomBytes } from "node:crypto";
import { spawn as spawnProcess, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createApp, selectStorageDriver, storageDrivers } from "../../src/app/create-app.js";
import type { App } from "../../src/app/app.js";
import { createCommandRunner } from "../../src/host/command-runner.js";
import type { CommandRunner } from "../../src/ports/command-runner.js";
import {
  createNspawnRuntime,
  interfaceNames,
  removeBridge,
  parseSubnet,
  type NspawnRuntime,
} from "../../src/runtimes/nspawn/index.js";
import { debootstrapArgs, imageRecipe } from "../../src/runtimes/nspawn/nspawn-cli.js";
import { unmountPool, resolveBtrfsPaths } from "../../src/backends/storage/btrfs/index.js";
import { configSchema } from "../../src/app/config-schema.js";
import type { Actor } from "../../src/domain/identity.js";

/** Why the host cannot run these tests, or undefined when it can. */
export function e2eUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "end-to-end tests need root";
  for (const tool of [
    "/usr/bin/systemd-nspawn",
    "/usr/sbin/debootstrap",
    "/usr/bin/btrfs",
    "/usr/bin/perl",
    "/usr/bin/systemd-run",
  ]) {
    if (!existsSync(tool) && !existsSync(tool.replace("/usr", "")))
      return `${tool} is missing (apt-get install -y systemd-container debootstrap btrfs-progs)`;
  }
  return undefined;
}

/** The shared download cache. */
export const CACHE_DIR = process.env.VOXNIX_TEST_CACHE ?? "/var/cache/voxnix-test";
const SUITE = "bookworm";

/**
 * A debootstrapped Debian tree, downloaded once per machine and per recipe (the package
 * list's hash), so a new base package reaches the tests' cached tree too.
 */
export async function baseTree(runner: CommandRunner): Promise<string> {
  const target = path.join(CACHE_DIR, `debian-${SUITE}-${imageRecipe()}`);
  if (existsSync(path.join(target, "usr/lib/systemd/systemd"))) return target;
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const result = await runner.run(
    "debootstrap",
    debootstrapArgs({
      suite: SUITE,
      mirror: process.env.VOXNIX_NSPAWN_MIRROR ?? "http://deb.debian.org/debian",
      target: partial,
    }),
    {
      timeoutMs: 45 * 60_000,
    },
  );
  if (result.exitCode !== 0) throw new Error(`debootstrap failed: ${result.stderr.slice(-1000)}`);
  if (!existsSync(target)) renameSync(partial, target);
  else rmSync(partial, { recursive: true, force: true });
  return target;
}

/** One throw-away installation. */
export interface E2eEnv {
  readonly root: string;
  readonly configFile: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly runner: CommandRunner;
  /** Environment for `node bin/voxnix.js` subprocesses. */
  readonly env: Record<string, string>;
  /** A fresh app over this installation (close it when done). */
  app(): Promise<App>;
  backend(): NspawnRuntime;
  cleanup(failed: boolean): Promise<void>;
}

/** Creates an installation with the base image imported and ready. */
export async function createE2eEnv(
  options: {
    readonly diskQuota?: string;
    readonly hostAccess?: readonly string[];
    readonly extraConfig?: Record<string, unknown>;
  } = {},
): Promise<E2eEnv> {
  const runner = createCommandRunner();
  const tree = await baseTree(runner);
  const root = mkdtempSync("/var/tmp/vx-e2e-");
  const tag = randomBytes(2).toString("hex");
  const bridge = `vxe${tag}`;
  const octets = randomBytes(2);
  const subnet = `10.${200 + ((octets[0] ?? 0) % 50)}.${octets[1] ?? 0}.0/24`;
  const raw = {
    stateDir: path.join(root, "state"),
    backend: "nspawn",
    storage: { driver: "btrfs", btrfs: { imageSize: "3G" } },
    nspawn: { bridge, subnet, bootTimeoutSeconds: 90, stopTimeoutSeconds: 15, hostAccess: options.hostAccess ?? [] },
    users: {
      defaults: { diskQuota: options.diskQuota ?? "300M" },
      allowlist: ["telegram:42", "telegram:43", "local:alice", "local:bob"],
    },
    log: { level: "warn" },
    ...options.extraConfig,
  };
  const configFile = path.join(root, "config.json");
  writeFileSync(configFile, JSON.stringify(raw, null, 2));
  const config = configSchema.parse(raw);
  const stateDir = raw.stateDir;
  const leasesStub = { allocate: () => "", get: () => undefined, release: () => undefined, all: () => new Map() };
  const plainBackend = () => {
    const deps = {
      config,
      stateDir,
      runner,
      logger: silent,
      clock: { now: () => new Date() },
      leases: leasesStub,
      catalog: { list: () => [], get: () => undefined },
    };
    // As the app does: the runtime's roots come from the configured storage driver.
    const storage = storageDrivers[selectStorageDriver(config)](deps);
    return createNspawnRuntime({ ...deps, rootVolumes: (request) => storage.rootVolumes!(request) });
  };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    VOXNIX_CONFIG: configFile,
    VOXNIX_STATE_DIR: stateDir,
  };
  await plainBackend().importImage(tree, () => undefined);
  return {
    root,
    configFile,
    bridge,
    subnet,
    runner,
    env,
    app: () => createApp({ env: { VOXNIX_CONFIG: configFile } }),
    backend: plainBackend,
    async cleanup(failed: boolean) {
      if (failed && process.env.VOXNIX_INSPECT === "1") {
        console.error(`VOXNIX_INSPECT=1: keeping ${root} (bridge ${bridge}, subnet ${subnet}).`);
        return;
      }
      const backend = plainBackend();
      for (const container of await backend.list().catch(() => [])) {
        await backend
          .destroy(container.name as never, { onProgress: () => undefined })
          .catch((error: unknown) => console.error(error));
      }
      await removeBridge(runner, { bridge, subnet: parseSubnet(subnet) }).catch((error: unknown) =>
        console.error(error),
      );
      await unmountPool(runner, resolveBtrfsPaths({ config, stateDir })).catch((error: unknown) =>
        console.error(error),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const noop = () => undefined;
const silent = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };

/** The result of one `voxnix` CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a host program (ssh, rsync, curl, …) as a person would, with optional input, killed
 * after `timeoutMs` (60 s unless told).
 */
export function runProgram(
  command: string,
  args: readonly string[],
  options: { readonly input?: string | Buffer; readonly timeoutMs?: number; readonly cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnProcess(command, [...args], {
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    // A program that does not read its input may exit before we finish writing it (EPIPE).
    child.stdin.on("error", () => undefined);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `node bin/voxnix.js …args` against the environment, as a person would (standard input empty unless `input`). */
export function voxnix(
  env: E2eEnv,
  args: readonly string[],
  options: { readonly timeoutMs?: number; readonly input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnProcess(process.execPath, [CLI, ...args], {
      env: env.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 5 * 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the CLI without waiting, for tests that kill it half-way. */
export function startVoxnix(env: E2eEnv, args: readonly string[]): ChildProcess {
  return spawnProcess(process.execPath, [CLI, ...args], { env: env.env, stdio: "ignore" });
}

/** Everything on the host that belongs to this environment: for "no residue" checks. */
export async function hostFootprint(
  env: E2eEnv,
  names: readonly string[],
): Promise<{
  readonly subvolumes: string[];
  readonly interfaces: string[];
  readonly machines: string[];
  readonly processes: number;
  readonly mounts: string[];
}> {
  const backend = env.backend();
  const all = await env.runner.run("btrfs", ["subvolume", "list", path.dirname(backend.paths.root)], {
    timeoutMs: 30_000,
  });
  const subvolumes = all.stdout
    .split("\n")
    .map((line) => /\spath\s(.+)$/.exec(line)?.[1] ?? "")
    .filter((name) => name !== "" && !name.includes("/images/"))
    .sort();
  const interfaces = names
    .flatMap((name) => Object.values(interfaceNames(backend.paths, name)))
    .filter((name) => existsSync(`/sys/class/net/${name}`))
    .sort();
  const machines = existsSync(backend.paths.machines) ? readdirSync(backend.paths.machines).sort() : [];
  let processes = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`--directory=${backend.paths.machines}/`))
        processes += 1;
    } catch {
      // exited
    }
  }
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((mountpoint) => mountpoint.startsWith(backend.paths.machines))
    .sort();
  return { subvolumes, interfaces, machines, processes, mounts };
}

/** Polls `condition` every 50 ms until it is true or `timeoutMs` passes. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** The bundled CLI people run. */
export const CLI = fileURLToPath(new URL("../../bin/voxnix.js", import.meta.url));

/**
 * Steps of one end-to-end story: `step(name, body)` registers a test, and `failed()` tells the
 * `after` hook whether any step threw, so `VOXNIX_INSPECT=1` can keep that environment.
 */
export function storySteps(): {
  readonly step: (name: string, body: () => Promise<void>) => void;
  readonly failed: () => boolean;
} {
  let failed = false;
  const step = (name: string, body: () => Promise<void>): void => {
    void it(name, async () => {
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    });
  };
  return { step, failed: () => failed };
}

/** Destroys `name` through the core as `actor` would: the plan, then the confirmation, then the job. */
export async function destroyConfirmed(app: App, actor: Actor, name: string): Promise<void> {
  const { token } = await app.core.destroy(actor, name);
  await (await app.core.confirm(actor, token)).wait();
}
