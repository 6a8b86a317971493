/**
 * What the core needs from the outside world, injected by the composition root
 * (`src/app/create-app.ts`) or by tests (fakes under `test/fakes/`).
 *
 * @module
 */
import type { ModuleCatalog } from "../domain/catalog.js";
import type { UserId, UserLimits } from "../domain/identity.js";
import type { ResourcePolicy } from "../domain/spec.js";
import type { VmResourcePolicy } from "../domain/vm-spec.js";
import type { Clock } from "../ports/clock.js";
import type { IdleSettings } from "../domain/idle.js";
import type { Notifier } from "../ports/notifier.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";
import type { Logger } from "../ports/logger.js";
import type { RemoteAccessProvider } from "../ports/remote-access.js";
import type { StorageDriver } from "../ports/storage-driver.js";
import type { VoxnixDatabase } from "../state/database.js";

/** Policy settings the core enforces (from `Config`, in core units). */
export interface CorePolicy {
  readonly admins: readonly UserId[];
  readonly allowlist: readonly UserId[];
  readonly defaultLimits: UserLimits;
  readonly resources: ResourcePolicy;
  /** Defaults and maxima for VMs (`vm.*`); the shipped defaults when absent. */
  readonly vmResources?: VmResourcePolicy;
  readonly confirmationTtlMs: number;
  readonly undoWindowMs: number;
  /**
   * Whether a workload may run code-server with `auth: none` (anyone who reaches its port gets
   * a root shell in the container). Off unless the admin turns it on.
   */
  readonly allowCodeServerWithoutAuth?: boolean;
  /** Inactivity timers (`idle.*`); absent: no default timeout (per-user maxima still apply). */
  readonly idle?: IdleSettings;
}

export interface CoreDeps {
  readonly db: VoxnixDatabase;
  /** Every configured runtime; the core picks one per spec kind and per stored workload. */
  readonly runtimes: RuntimeRegistry;
  readonly storage: StorageDriver;
  /** Absent when no remote-access key is configured; creates asking for it are then refused. */
  readonly remoteAccess?: RemoteAccessProvider;
  readonly catalog: ModuleCatalog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: CorePolicy;
  /** Where idle warnings and stops are told to their owners; absent: nobody is told. */
  readonly notifier?: Notifier;
}
