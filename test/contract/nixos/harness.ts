/**
 * A fake NixOS host for contract tests: a temporary host root with `etc/nixos-containers`,
 * the fake executables from `test/fakes/bin/nixos` first on PATH, and the real command runner
 * and backend factories on top. Behaviours of the fakes are switched per runner with env vars.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema, type Config } from "../../../src/app/config-schema.js";
import type { BackendDeps } from "../../../src/backends/deps.js";
import { createNixosRuntime } from "../../../src/runtimes/nixos/index.js";
import { createZfsStorage } from "../../../src/backends/storage/zfs/index.js";
import { createTailscaleRemoteAccess } from "../../../src/backends/network/tailscale/index.js";
import { createCommandRunner } from "../../../src/host/command-runner.js";
import { createProcessSpawner } from "../../../src/host/process-spawner.js";
import type { ProcessSpawner } from "../../../src/ports/command-runner.js";
import type { ContainerSpec } from "../../../src/domain/spec.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import type { ProgressEvent } from "../../../src/ports/runtime.js";
import { systemClock } from "../../../src/ports/clock.js";
import type { AddressLeases } from "../../../src/ports/address-leases.js";
import { FakeLogger } from "../../fakes/fake-logger.js";
import { createFixtureCatalog } from "../../fakes/fixture-catalog.js";

/** The directory holding the fake executables. */
export const FAKE_BIN = fileURLToPath(new URL("../../fakes/bin/nixos", import.meta.url));

/** One recorded call of a fake program. */
export interface FakeCall {
  readonly cmd: string;
  readonly args: readonly string[];
}

const noLeases: AddressLeases = {
  allocate: () => "",
  get: () => undefined,
  release: () => undefined,
  all: () => new Map(),
};

/** The fake zfs's state file. */
export interface FakeZfsState {
  datasets: Record<
    string,
    { mountpoint: string; quota: number; mounted: string; used: number; rolledBackTo?: string; origin?: string }
  >;
  snapshots: string[];
}

/** A fresh fake host. Call `dispose()` when done. */
export class FakeHost {
  readonly root = mkdtempSync(join(tmpdir(), "voxnix-fakehost-"));
  readonly stateDir = join(this.root, "state");
  readonly logger = new FakeLogger();

  constructor() {
    mkdirSync(join(this.root, "etc", "nixos-containers"), { recursive: true });
    mkdirSync(join(this.root, "etc", "systemd-mutable", "system"), { recursive: true });
    mkdirSync(this.stateDir, { recursive: true });
  }

  /** Backend dependencies over the real runner, with `env` switching the fakes' behaviour. */
  deps(env: Record<string, string> = {}, config: Record<string, unknown> = {}): BackendDeps {
    const runner = createCommandRunner({
      baseEnv: { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`, FAKE_HOST_ROOT: this.root, ...env },
      killGraceMs: 300,
    });
    const parsed: Config = configSchema.parse({ backend: "nixos", nixos: { flakePath: "/opt/voxnix-src" }, ...config });
    // Sessions get an exact environment from the runtime; the fakes also need theirs.
    const real = createProcessSpawner({ killGraceMs: 300 });
    const fakeEnv = { PATH: `${FAKE_BIN}:${process.env.PATH ?? ""}`, FAKE_HOST_ROOT: this.root, ...env };
    const spawner: ProcessSpawner = {
      spawn: (command, args, options) => real.spawn(command, args, { ...options, env: { ...options.env, ...fakeEnv } }),
    };
    return {
      config: parsed,
      stateDir: this.stateDir,
      runner,
      spawner,
      logger: this.logger,
      clock: systemClock,
      leases: noLeases,
      catalog: createFixtureCatalog(),
    };
  }

  backend(env: Record<string, string> = {}, config: Record<string, unknown> = {}) {
    return createNixosRuntime(this.deps(env, config), { hostRoot: this.root });
  }

  zfs(env: Record<string, string> = {}, config: Record<string, unknown> = {}) {
    return createZfsStorage(this.deps(env, config));
  }

  tailscale(config: Record<string, unknown>) {
    return createTailscaleRemoteAccess(this.deps({}, config));
  }

  /** Every call the fakes recorded, in order. */
  calls(): FakeCall[] {
    const file = join(this.root, "fake", "calls.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as FakeCall);
  }

  /** Calls as `cmd arg arg…` strings, optionally only of one program. */
  commandLines(cmd?: string): string[] {
    return this.calls()
      .filter((call) => cmd === undefined || call.cmd === cmd)
      .map((call) => [call.cmd, ...call.args].join(" "));
  }

  clearCalls(): void {
    rmSync(join(this.root, "fake", "calls.jsonl"), { force: true });
  }

  installed(name: string): boolean {
    return existsSync(join(this.root, "etc", "nixos-containers", `${name}.conf`));
  }

  /** Puts a container on the fake host as if it had been created earlier. */
  seedContainer(
    name: string,
    state: { running: boolean; tailscale?: boolean; extra?: boolean; addresses?: string[] },
  ): void {
    mkdirSync(join(this.root, "fake", "containers"), { recursive: true });
    writeFileSync(join(this.root, "etc", "nixos-containers", `${name}.conf`), "SYSTEM_PATH=/nix/store/x\n");
    writeFileSync(
      join(this.root, "fake", "containers", `${name}.json`),
      JSON.stringify({ tailscale: false, extra: true, addresses: [], ...state }),
    );
  }

  container(name: string): { running: boolean } | undefined {
    const file = join(this.root, "fake", "containers", `${name}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { running: boolean }) : undefined;
  }

  writeFile(relative: string, content: string): void {
    mkdirSync(join(this.root, relative, ".."), { recursive: true });
    writeFileSync(join(this.root, relative), content);
  }

  readFile(relative: string): string {
    return readFileSync(join(this.root, relative), "utf8");
  }

  zfsState(): FakeZfsState {
    const file = join(this.root, "fake", "zfs.json");
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as FakeZfsState)
      : { datasets: { tank: { mountpoint: "/tank", quota: 0, mounted: "yes", used: 24576 } }, snapshots: [] };
  }

  writeZfsState(state: FakeZfsState): void {
    this.writeFile("fake/zfs.json", JSON.stringify(state));
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A validated spec as the core would hand it over. */
export function spec(name: string, modules: string[], overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    kind: "container",
    name: name as WorkloadName,
    modules,
    moduleOptions: modules.includes("code-server") ? { "code-server": { port: 8080 } } : {},
    workspace: modules.includes("workspace") ? { enabled: true } : { enabled: false },
    resources: { cpus: 1, memoryBytes: 1024 ** 3, pids: 512 },
    remoteAccess: modules.includes("tailscale"),
    ...overrides,
  };
}

/** Collects progress events. */
export function progressRecorder(): {
  events: ProgressEvent[];
  listener: (event: ProgressEvent) => void;
  steps: () => string[];
} {
  const events: ProgressEvent[] = [];
  return {
    events,
    listener: (event) => events.push(event),
    steps: () => events.flatMap((event) => (event.type === "step" ? [event.step] : [])),
  };
}

/** The workload name type for tests. */
export function name(value: string): WorkloadName {
  return value as WorkloadName;
}
