/**
 * The core's internal wiring: dependencies, repositories and shared services that every
 * operation receives. Built once by `createCore`.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressLeases } from "../ports/address-leases.js";
import { createAddressLeases } from "../state/address-leases.js";
import { createApiTokensRepository, type ApiTokensRepository } from "../state/api-tokens-repository.js";
import { createConfirmationsRepository, type ConfirmationsRepository } from "../state/confirmations-repository.js";
import { createIdleTimersRepository, type IdleTimersRepository } from "../state/idle-timers-repository.js";
import { createImportedVmsRepository, type ImportedVmsRepository } from "../state/imported-vms-repository.js";
import { createJobsRepository, type JobsRepository } from "../state/jobs-repository.js";
import { createOperationsRepository, type OperationsRepository } from "../state/operations-repository.js";
import { createSnapshotsRepository, type SnapshotsRepository } from "../state/snapshots-repository.js";
import { createSshKeysRepository, type SshKeysRepository } from "../state/ssh-keys-repository.js";
import { createUsersRepository, type UsersRepository } from "../state/users-repository.js";
import { createWorkloadLocksRepository, type WorkloadLocksRepository } from "../state/workload-locks-repository.js";
import { createWebSessionsRepository, type WebSessionsRepository } from "../state/web-sessions-repository.js";
import { createWorkloadsRepository, type WorkloadsRepository } from "../state/workloads-repository.js";
import type { CoreDeps } from "./deps.js";

/** Process facts the core needs; tests replace them to simulate crashes. */
export interface CoreOptions {
  /** This process's id, recorded on jobs and locks (default `process.pid`). */
  readonly pid?: number;
  /** Whether a process is still running (default: signal 0). */
  readonly isProcessAlive?: (pid: number) => boolean;
  /** This boot's id (default: the kernel's `boot_id`); a holder from another boot is dead. */
  readonly bootId?: string;
}

/** Every repository the core uses. */
export interface Repositories {
  readonly users: UsersRepository;
  readonly workloads: WorkloadsRepository;
  readonly audit: OperationsRepository;
  readonly confirmations: ConfirmationsRepository;
  readonly snapshots: SnapshotsRepository;
  readonly jobs: JobsRepository;
  readonly locks: WorkloadLocksRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly webSessions: WebSessionsRepository;
  readonly sshKeys: SshKeysRepository;
  readonly idleTimers: IdleTimersRepository;
  /** Imported cluster VMs assigned to owners (shown read-only to them). */
  readonly importedVms: ImportedVmsRepository;
  /** Read by reconcile only, to free leases of workloads that no longer exist; runtimes own them. */
  readonly leases: AddressLeases;
}

/** What operations receive. */
export interface CoreContext {
  readonly deps: CoreDeps;
  readonly repos: Repositories;
  readonly pid: number;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Identifies this core instance (and this boot) on locks and jobs: `<boot id>/<instance id>`. */
  readonly instanceId: string;
  /**
   * Whether the process that recorded `pid` and `holder` still runs. Pids are reused (after a
   * reboot a service often gets the same one), so the holder's boot and instance are checked too.
   */
  readonly isHolderAlive: (pid: number, holder: string) => boolean;
}

// Core instances alive in this process; a holder with this process's pid but not listed here
// was left by an earlier process that had the same pid.
const liveInstances = new Set<string>();

/** Builds the context over `deps`. */
export function createContext(deps: CoreDeps, options: CoreOptions = {}): CoreContext {
  const db = deps.db;
  const pid = options.pid ?? process.pid;
  const bootId = options.bootId ?? currentBootId();
  const isAlive = options.isProcessAlive ?? isProcessAlive;
  const instanceId = `${bootId}/${randomUUID()}`;
  liveInstances.add(instanceId);
  const isHolderAlive = (holderPid: number, holder: string): boolean => {
    const separator = holder.lastIndexOf("/");
    if (separator > 0 && bootId !== "" && holder.slice(0, separator) !== bootId) return false;
    if (holderPid === pid && separator > 0) return liveInstances.has(holder);
    return isAlive(holderPid);
  };
  return {
    deps,
    repos: {
      users: createUsersRepository(db, deps.policy.defaultLimits),
      workloads: createWorkloadsRepository(db, { pids: deps.policy.resources.defaultPids }),
      audit: createOperationsRepository(db),
      confirmations: createConfirmationsRepository(db),
      snapshots: createSnapshotsRepository(db, { pids: deps.policy.resources.defaultPids }),
      jobs: createJobsRepository(db),
      locks: createWorkloadLocksRepository(db),
      apiTokens: createApiTokensRepository(db),
      webSessions: createWebSessionsRepository(db),
      sshKeys: createSshKeysRepository(db),
      idleTimers: createIdleTimersRepository(db),
      importedVms: createImportedVmsRepository(db),
      leases: createAddressLeases(db),
    },
    pid,
    isProcessAlive: isAlive,
    instanceId,
    isHolderAlive,
  };
}

/** The kernel's id of the current boot, or "" where there is none (non-Linux). */
function currentBootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
