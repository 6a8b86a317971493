/**
 * The composition root: turns the configuration into a running application. It is the only
 * place that knows every concrete implementation: it opens the database, builds the command
 * runner, the module catalog, the selected container backend and storage driver, remote
 * access, and finally the core. Adapters receive the finished `App`.
 *
 * Heavy modules stay off this path: the telemetry SDK is loaded only when an OTLP endpoint is
 * configured, and transports (grammy, the AI SDK) are loaded by their own commands.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createNixosRuntime } from "../runtimes/nixos/index.js";
import { RUNTIMES } from "../runtimes/index.js";
import { loadModuleCatalog } from "../backends/catalog/index.js";
import type { BackendDeps } from "../backends/deps.js";
import { createTailscaleRemoteAccess } from "../backends/network/tailscale/index.js";
import { createProxmoxRuntime, proxmoxSettings } from "../runtimes/proxmox/index.js";
import { createProxmoxVmidsRepository } from "../state/proxmox-vmids-repository.js";
import { createBtrfsStorage } from "../backends/storage/btrfs/index.js";
import { createDirStorage } from "../backends/storage/dir/index.js";
import { createZfsStorage } from "../backends/storage/zfs/index.js";
import { createCore } from "../core/create-core.js";
import { createRuntimeRegistry } from "../core/runtime-registry.js";
import type { CorePolicy } from "../core/deps.js";
import type { UserId } from "../domain/identity.js";
import { systemClock, type Clock } from "../ports/clock.js";
import type { CommandRunner, ProcessSpawner } from "../ports/command-runner.js";
import type { Runtime } from "../ports/runtime.js";
import type { Logger } from "../ports/logger.js";
import type { StorageDriver } from "../ports/storage-driver.js";
import { createAddressLeases } from "../state/address-leases.js";
import { openDatabase } from "../state/database.js";
import { createCommandRunner } from "../host/command-runner.js";
import { createProcessSpawner } from "../host/process-spawner.js";
import { createLogger } from "../host/logger.js";
import { startTelemetry } from "../host/telemetry.js";
import type { App } from "./app.js";
import type { BackendName, Config, StorageDriverName } from "./config-schema.js";
import { ConfigError, loadConfig, type LoadedConfig } from "./config.js";
import { createConversationsRepository } from "../state/conversations-repository.js";
import { parseWorkingHours } from "../domain/idle.js";
import { createNoticeBoard } from "../ports/notifier.js";

/** Every storage driver, by configuration name. */
export const storageDrivers = {
  btrfs: createBtrfsStorage,
  zfs: createZfsStorage,
  dir: createDirStorage,
} satisfies Record<StorageDriverName, (deps: BackendDeps) => StorageDriver>;

/** The storage driver each backend uses unless `storage.driver` (or `VOXNIX_STORAGE_DRIVER`) says otherwise. */
export const DEFAULT_STORAGE_DRIVER: Readonly<Record<BackendName, StorageDriverName>> = {
  nspawn: "btrfs",
  nixos: "zfs",
};

/** The database file inside the state directory. */
export const DATABASE_FILE = "voxnix.db";

export interface CreateAppOptions {
  /** Environment to read the configuration from (default: `process.env`). Ignored when `loadedConfig` is given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** An already loaded configuration (the CLI loads it first to report config errors early). */
  readonly loadedConfig?: LoadedConfig;
  readonly logger?: Logger;
  /** Replaces the real command runner (tests, dry runs). */
  readonly runner?: CommandRunner;
  /** Replaces the real session spawner (tests). */
  readonly spawner?: ProcessSpawner;
  readonly clock?: Clock;
  /** How long `close` waits for running jobs before closing the database anyway (default 30 s). */
  readonly closeTimeoutMs?: number;
  /** Where the nixos backend finds the host's files (default `/`); contract tests over the fake host programs only. */
  readonly nixosHostRoot?: string;
  /** Interval between Proxmox task polls (default 1 s); contract tests against the fake cluster poll faster. */
  readonly proxmoxPollMs?: number;
}

/**
 * Builds the application from the configuration. Throws `ConfigError` for a bad configuration
 * and closes whatever it opened when a later step fails.
 *
 * @example
 * const app = await createApp();
 * try { console.log(await app.core.list({ userId: "local:admin" })); } finally { await app.close(); }
 */
export async function createApp(options: CreateAppOptions = {}): Promise<App> {
  const loaded = options.loadedConfig ?? loadConfig({ env: options.env ?? process.env });
  const { config, secrets, stateDir } = loaded;
  // JSON log lines between a person's prompts and answers are noise; services log at info.
  const logger =
    options.logger ?? createLogger({ level: config.log.level ?? (process.stderr.isTTY ? "warn" : "info") });
  const telemetry = await startTelemetry(config.telemetry, logger);

  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(stateDir, DATABASE_FILE));
  try {
    const secretValues = Object.values(secrets).filter((value): value is string => typeof value === "string");
    const runner =
      options.runner ?? createCommandRunner({ logger: logger.child({ component: "runner" }), secrets: secretValues });
    const clock = options.clock ?? systemClock;
    const catalog = loadModuleCatalog({ config });
    const deps: BackendDeps = {
      config,
      stateDir,
      runner,
      spawner: options.spawner ?? createProcessSpawner({ logger: logger.child({ component: "sessions" }) }),
      logger,
      clock,
      leases: createAddressLeases(db),
      catalog,
    };

    const storageName = selectStorageDriver(config);
    const storage = storageDrivers[storageName]({
      ...deps,
      logger: logger.child({ component: `storage-${storageName}` }),
    });
    // Runtimes ask the storage port for their image and root volumes; they never reach a driver.
    const rootVolumes = storage.rootVolumes?.bind(storage);
    // VM runtimes ask it for their disk images the same way.
    const diskVolumes = storage.diskVolumes?.bind(storage);
    const backendDeps: BackendDeps = {
      ...deps,
      logger: logger.child({ component: `runtime-${config.backend}` }),
      ...(rootVolumes === undefined ? {} : { rootVolumes }),
    };
    const containerRuntime: Runtime =
      config.backend === "nixos" && options.nixosHostRoot !== undefined
        ? createNixosRuntime(backendDeps, { hostRoot: options.nixosHostRoot })
        : RUNTIMES[config.backend](backendDeps);
    // VMs: `vm.runtime` picks qemu (this host), microvm (microvm.nix on the appliance) or
    // proxmox (its ledger lives in this database);
    // `auto` means Proxmox when `proxmox.url` is set, else no VMs.
    const settings = proxmoxSettings(config);
    const vmChoice = config.vm.runtime === "auto" ? (settings ? "proxmox" : "none") : config.vm.runtime;
    if (vmChoice === "proxmox" && !settings)
      throw new ConfigError([
        {
          source: "configuration",
          path: "vm.runtime",
          message: "vm.runtime is proxmox, but proxmox.url (and its token) are not set.",
        },
      ]);
    const proxmox =
      vmChoice === "proxmox" && settings
        ? createProxmoxRuntime({
            settings,
            ledger: createProxmoxVmidsRepository(db),
            clock,
            logger: logger.child({ component: "runtime-proxmox" }),
            ...(options.proxmoxPollMs !== undefined ? { pollMs: options.proxmoxPollMs } : {}),
          })
        : undefined;
    // Every other choice is a line of RUNTIMES (a choice without one does not compile), so a new
    // VM runtime is picked up by its name in `vm.runtime` with no edit here.
    const vmRuntime: Runtime | undefined =
      proxmox ??
      (vmChoice === "none" || vmChoice === "proxmox"
        ? undefined
        : RUNTIMES[vmChoice]({
            ...deps,
            logger: logger.child({ component: `runtime-${vmChoice}` }),
            ...(diskVolumes === undefined ? {} : { diskVolumes }),
          }));
    const runtimes = createRuntimeRegistry(vmRuntime ? [containerRuntime, vmRuntime] : [containerRuntime], {
      container: containerRuntime.info().name,
      ...(vmRuntime ? { vm: vmRuntime.info().name } : {}),
    });
    const remoteAccess = createTailscaleRemoteAccess({ ...deps, logger: logger.child({ component: "remote-access" }) });

    // Idle warnings and stops go to whoever subscribes (the Telegram bot, when it runs here).
    const notices = createNoticeBoard((error, notice) =>
      logger.warn({ err: error, notice: notice.type, workload: notice.workload }, "could not deliver a notice"),
    );
    const core = createCore({
      db,
      notifier: notices,
      runtimes,
      storage,
      ...(remoteAccess ? { remoteAccess } : {}),
      catalog,
      clock,
      logger: logger.child({ component: "core" }),
      policy: corePolicy(config),
    });

    let closed = false;
    return {
      config,
      secrets,
      stateDir,
      core,
      catalog,
      runtimes,
      storage,
      runner,
      db,
      conversations: createConversationsRepository(db),
      notices,
      logger,
      endLiveStreams: () => core.endLiveStreams(),
      async close() {
        if (closed) return;
        closed = true;
        // Open live list streams end now; their timers must not outlive the database.
        core.endLiveStreams();
        // Let start-up recovery and jobs this process started settle before the database goes away,
        // but not forever: a job cut off here is marked interrupted and reconciled at the next start.
        await settleWithin(core.idle(), options.closeTimeoutMs ?? 30_000);
        await proxmox?.close();
        await telemetry.close();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    await telemetry.close();
    throw error;
  }
}

async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The storage driver for `config`: explicit choice first, else the backend's default. */
export function selectStorageDriver(config: Config): StorageDriverName {
  return config.storage.driver ?? DEFAULT_STORAGE_DRIVER[config.backend];
}

/** The policy the core enforces, converted from configuration units. `local:admin` is always an admin. */
export function corePolicy(config: Config): CorePolicy {
  const admins = new Set<UserId>(["local:admin", ...config.users.admins]);
  return {
    admins: [...admins],
    allowlist: config.users.allowlist,
    defaultLimits: {
      diskQuotaBytes: config.users.defaults.diskQuota,
      maxWorkloads: config.users.defaults.maxWorkloads,
      cpuBudget: config.users.defaults.cpuBudget,
      memoryBudgetBytes: config.users.defaults.memoryBudget,
      pidsBudget: config.users.defaults.pidsBudget,
      ...(config.users.defaults.maxIdleTimeout === undefined
        ? {}
        : { maxIdleTimeoutMs: config.users.defaults.maxIdleTimeout }),
    },
    idle: {
      defaultTimeoutMs: config.idle.timeout,
      warnBeforeMs: config.idle.warnBefore,
      ...(config.idle.workingHours === undefined
        ? {}
        : {
            workingHours: parseWorkingHours(
              config.idle.workingHours,
              config.idle.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
            ),
          }),
    },
    vmResources: {
      defaultCpus: config.vm.defaultCpus,
      maxCpus: config.vm.maxCpus,
      defaultMemoryBytes: config.vm.defaultMemory,
      maxMemoryBytes: config.vm.maxMemory,
      defaultDiskBytes: config.vm.defaultDisk,
      maxDiskBytes: config.vm.maxDisk,
      defaultWorkspaceBytes: config.vm.defaultWorkspace,
      maxWorkspaceBytes: config.vm.maxWorkspace,
    },
    resources: {
      defaultCpus: config.resources.defaultCpus,
      maxCpus: config.resources.maxCpus,
      defaultMemoryBytes: config.resources.defaultMemory,
      maxMemoryBytes: config.resources.maxMemory,
      defaultPids: config.resources.defaultPids,
      maxPids: config.resources.maxPids,
    },
    confirmationTtlMs: config.confirmations.ttlSeconds * 1000,
    undoWindowMs: config.snapshots.undoWindowHours * 3600 * 1000,
    allowCodeServerWithoutAuth: config.security.allowCodeServerWithoutAuth,
  };
}
