/**
 * `createTestCore`: a real core over an in-memory database, the fixture catalog and fakes,
 * for unit tests of the core and of every adapter. Keep this signature stable.
 *
 * Default users (from the test policy): `local:admin` and `telegram:1` are admins,
 * `telegram:42` (alice) and `telegram:43` (bob) are admitted by the allowlist, anyone else
 * (e.g. `telegram:99`) starts pending.
 *
 * @module
 */
import { createRuntimeRegistry } from "../../src/core/runtime-registry.js";
import { userStorageKey, type Actor, type UserId } from "../../src/domain/identity.js";
import { createCore, type CoreInstance } from "../../src/core/create-core.js";
import type { CorePolicy } from "../../src/core/deps.js";
import type { StaticModuleCatalog } from "../../src/domain/catalog.js";
import type { Logger } from "../../src/ports/logger.js";
import type { Notifier } from "../../src/ports/notifier.js";
import { openDatabase, type VoxnixDatabase } from "../../src/state/database.js";
import { FakeClock } from "./fake-clock.js";
import { FakeRuntime } from "./fake-runtime.js";
import { FakeLogger } from "./fake-logger.js";
import { FakeRemoteAccess } from "./fake-remote-access.js";
import { FakeStorageDriver } from "./fake-storage-driver.js";
import { createFixtureCatalog } from "./fixture-catalog.js";

const GiB = 1024 ** 3;

/** Well-known test actors. */
export const TEST_USERS = {
  admin: "local:admin",
  telegramAdmin: "telegram:1",
  alice: "telegram:42",
  bob: "telegram:43",
  pending: "telegram:99",
} as const satisfies Record<string, UserId>;

/** An actor for `userId`. */
export function actor(userId: UserId, displayName?: string): Actor {
  return displayName === undefined ? { userId } : { userId, displayName };
}

/** The policy tests run with unless they override parts of it. */
export const TEST_POLICY: CorePolicy = {
  admins: [TEST_USERS.telegramAdmin],
  allowlist: [TEST_USERS.alice, TEST_USERS.bob],
  defaultLimits: {
    diskQuotaBytes: 10 * GiB,
    maxWorkloads: 5,
    cpuBudget: 4,
    memoryBudgetBytes: 8 * GiB,
    pidsBudget: 4096,
  },
  resources: {
    defaultCpus: 1,
    maxCpus: 4,
    defaultMemoryBytes: GiB,
    maxMemoryBytes: 8 * GiB,
    defaultPids: 512,
    maxPids: 4096,
  },
  confirmationTtlMs: 5 * 60_000,
  undoWindowMs: 24 * 3_600_000,
};

/** Options; pass existing fakes or a database to simulate a restart over the same state. */
export interface TestCoreOptions {
  readonly policy?: Partial<CorePolicy>;
  readonly db?: VoxnixDatabase;
  readonly backend?: FakeRuntime;
  /** More runtimes beside `backend` (a fake VM runtime, say). */
  readonly extraRuntimes?: readonly FakeRuntime[];
  readonly storage?: FakeStorageDriver;
  /** `false` runs without a remote-access provider (no Tailscale key configured). */
  readonly remoteAccess?: FakeRemoteAccess | false;
  readonly clock?: FakeClock;
  readonly logger?: Logger;
  /** Pid recorded on jobs and locks (default: the real one). */
  readonly pid?: number;
  /** Which pids count as alive (default: the real check). */
  readonly isProcessAlive?: (pid: number) => boolean;
  /** Boot id recorded with jobs and locks (default: the real one). */
  readonly bootId?: string;
  /** Where idle warnings and stops go (default: nowhere). */
  readonly notifier?: Notifier;
}

/** Everything a test needs. */
export interface TestCore {
  readonly core: CoreInstance;
  readonly backend: FakeRuntime;
  readonly storage: FakeStorageDriver;
  /** Undefined when created with `remoteAccess: false`. */
  readonly remoteAccess: FakeRemoteAccess | undefined;
  readonly clock: FakeClock;
  readonly db: VoxnixDatabase;
  readonly catalog: StaticModuleCatalog;
  readonly logger: Logger;
  readonly policy: CorePolicy;
}

/** Creates a core over `:memory:` (or `options.db`) with fakes and the fixture catalog. */
export function createTestCore(options: TestCoreOptions = {}): TestCore {
  const db = options.db ?? openDatabase(":memory:");
  const backend = options.backend ?? new FakeRuntime();
  const storage = options.storage ?? new FakeStorageDriver();
  const remoteAccess = options.remoteAccess === false ? undefined : (options.remoteAccess ?? new FakeRemoteAccess());
  const clock = options.clock ?? new FakeClock();
  const logger = options.logger ?? new FakeLogger();
  const catalog = createFixtureCatalog();
  const policy: CorePolicy = { ...TEST_POLICY, ...options.policy };
  const core = createCore(
    {
      db,
      runtimes: createRuntimeRegistry([backend, ...(options.extraRuntimes ?? [])]),
      storage,
      ...(remoteAccess ? { remoteAccess } : {}),
      catalog,
      clock,
      logger,
      policy,
      ...(options.notifier ? { notifier: options.notifier } : {}),
    },
    {
      ...(options.pid === undefined ? {} : { pid: options.pid }),
      ...(options.isProcessAlive === undefined ? {} : { isProcessAlive: options.isProcessAlive }),
      ...(options.bootId === undefined ? {} : { bootId: options.bootId }),
    },
  );
  return { core, backend, storage, remoteAccess, clock, db, catalog, logger, policy };
}

/**
 * The core an eval conversation runs against: the test core plus a fake VM runtime, unless the
 * conversation says the appliance has none (`vmRuntime: false`).
 */
export function createEvalCore(conversation?: {
  readonly vmRuntime?: boolean;
}): TestCore & { fillWorkspace(owner: UserId, name: string, bytes: number): void } {
  const t = createTestCore(
    conversation?.vmRuntime === false
      ? {}
      : { extraRuntimes: [new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [] })] },
  );
  return { ...t, fillWorkspace: (owner, name, bytes) => t.storage.write(userStorageKey(owner), name, bytes) };
}
