/**
 * What the core answers about workloads: the views people see (list, show, storage, host keys),
 * the admins' host reports, and the live list subscription.
 *
 * @module
 */
import type { UserId } from "../../domain/identity.js";
import type { WorkloadSpec } from "../../domain/spec.js";
import type { WorkloadStatus } from "../../domain/workload-state.js";
import type { DoctorCheck, LiveState } from "../../ports/runtime.js";
import type { Usage } from "../../ports/storage-driver.js";
import type { ActivityKind, TimeoutSource } from "../../domain/idle.js";

/** A workload as shown to its owner (or an admin). */
export interface WorkloadView {
  readonly name: string;
  readonly owner: UserId;
  readonly kind: "container";
  readonly backend: string;
  readonly status: WorkloadStatus;
  /** What the person last asked for. */
  readonly desired: "running" | "stopped";
  /** What the host reports; `missing` when voxnix records it but the host does not know it. */
  readonly live: LiveState | "missing";
  readonly addresses: readonly string[];
  readonly spec: WorkloadSpec;
  readonly createdAt: Date;
  /**
   * In lists (`list`, `watch`): a pending idle warning or an idle stop, so the dashboard can
   * show its owner a banner (people without Telegram get the warning there).
   */
  readonly idleNotice?: IdleNotice;
}

/** What the owner should be told about the inactivity timer now: it stops soon unless kept, or it was stopped. */
export type IdleNotice =
  { readonly type: "warning"; readonly stopsAt: Date } | { readonly type: "stopped"; readonly at: Date };

/** Choices made at create that are not part of the spec. */
export interface CreateOptions {
  /** The workload's own idle timeout ("2h", "90m", "off"; "default" or absent: the configuration's). Bounded by the owner's maximum. */
  readonly idleTimeout?: string;
}

/** `show`: the workload plus live details, storage and remote access. */
export interface WorkloadDetails extends WorkloadView {
  readonly since?: Date;
  readonly remoteAccess?: { readonly ip?: string; readonly hostname?: string; readonly state: string };
  readonly storage?: Usage;
  readonly facts: Readonly<Record<string, string>>;
  /** When and why the workload stops for idleness (absent for workloads not ready). */
  readonly idle?: IdleView;
}

/** A workload's inactivity timer, as `show` reports it. */
export interface IdleView {
  /** The timeout that applies; 0 means it is never stopped for idleness. */
  readonly timeoutMs: number;
  readonly source: TimeoutSource;
  readonly lastActivity: { readonly at: Date; readonly kind: ActivityKind };
  /** When it stops if nothing happens (running workloads with a timeout). */
  readonly stopsAt?: Date;
  /** When its owner was warned, if a warning is pending. */
  readonly warnedAt?: Date;
  /** When the timer stopped it (until it starts again). */
  readonly stoppedForIdleAt?: Date;
  /** The working hours in which nothing is stopped, like `08:00-20:00 Europe/Berlin`. */
  readonly workingHours?: string;
  /** One sentence for people: "stops at 14:05 if idle (timeout 2h, last activity 12:05 ssh session)". */
  readonly summary: string;
}

/** What `keep` did: the workloads whose timers were reset, and when each now stops. */
export interface KeepResult {
  readonly kept: readonly { readonly workload: string; readonly stopsAt?: Date }[];
}

/** What one round of the idle timers did (`voxnix serve` runs one a minute). */
export interface IdleTickReport {
  readonly warned: readonly string[];
  readonly stopped: readonly string[];
  readonly failed: readonly { readonly workload: string; readonly reason: string }[];
}

/** A container on the host that voxnix does not manage; shown to admins only. */
export interface UnmanagedContainer {
  readonly name: string;
  readonly state: LiveState;
}

/**
 * A cluster VM voxnix did not create, recorded from a definitions file's `imported` entry:
 * shown to the owner it is assigned to and to admins; voxnix never changes it, and starts or
 * stops it only when the entry says `allowPowerControl: true`.
 */
export interface ImportedVmView {
  readonly name: string;
  readonly vmid: number;
  /** Absent for an entry assigned to nobody (only admins see it). */
  readonly owner?: UserId;
  /** What the cluster reports now; `missing` when it no longer lists the VM. */
  readonly live: LiveState | "missing";
  readonly note?: string;
  readonly readOnly: true;
  /** Its owner and admins may start and stop it (nothing else). */
  readonly allowPowerControl: boolean;
}

/**
 * A workload's answer from `show`, `start` or `stop`, for callers that handle only workloads;
 * throws when the name was an imported VM (whose answer has no spec, status or idle timer).
 */
export function workloadOf<T extends { readonly kind: string; readonly name: string }>(
  value: T,
): Exclude<T, ImportedVmDetails> {
  if (isImportedVm(value)) throw new TypeError(`"${value.name}" is an imported VM, not a workload.`);
  return value as Exclude<T, ImportedVmDetails>;
}

/** True for an imported VM's details (`show`, `start`, `stop` answer those for imported VMs). */
export function isImportedVm(value: { readonly kind: string }): value is ImportedVmDetails {
  return value.kind === "imported-vm";
}

/** `show`, `start` and `stop` of an imported VM: its view plus what the cluster reports about it. */
export interface ImportedVmDetails extends ImportedVmView {
  /** Tells it apart from a workload (whose `kind` is `container`). */
  readonly kind: "imported-vm";
  readonly addresses: readonly string[];
  readonly facts: Readonly<Record<string, string>>;
}

export interface ListResult {
  readonly workloads: readonly WorkloadView[];
  /** Present (possibly empty) only for admins. */
  readonly unmanaged?: readonly UnmanagedContainer[];
  /** Imported cluster VMs assigned to the actor (admins: every assigned one); present when there are any. */
  readonly imported?: readonly ImportedVmView[];
}

/** A snapshot kept by a destroy, restorable until `expiresAt`. */
export interface SnapshotView {
  readonly id: string;
  readonly workload: string;
  readonly owner: UserId;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** A VM's root disk kept with it: the bytes it holds against the owner's disk quota. */
  readonly rootDiskBytes?: number;
  /** With `rootDiskBytes`: what that kept disk is, in words ("its root disk"; on Proxmox its workspace disk). */
  readonly keptDisk?: string;
}

/** One SSH host key of a workload. */
export interface HostKeyView {
  /** The key as an OpenSSH public key line without comment: `ssh-ed25519 AAAA…`. */
  readonly key: string;
  readonly algorithm: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  /**
   * The recipient age (and agenix, and sops' age support) encrypts to for this host: the
   * key line itself, since ssh-ed25519 and ssh-rsa keys are age recipients as they are.
   * Absent for key types age does not accept.
   */
  readonly ageRecipient?: string;
  /**
   * The native X25519 recipient (`age1…`) of an ssh-ed25519 host key, as `ssh-to-age` derives
   * it: what sops-nix decrypts with and what `.sops.yaml` files usually list. Absent for
   * other key types.
   */
  readonly nativeAgeRecipient?: string;
}

/** `hostKey`: a VM's SSH host keys, known to voxnix from before its first boot. */
export interface HostKeyReport {
  readonly workload: string;
  readonly keys: readonly HostKeyView[];
}

export interface StorageReport {
  readonly user: UserId;
  readonly driver: string;
  readonly quotasEnforced: boolean;
  readonly usage: Usage;
  readonly workspaces: readonly { readonly workload: string; readonly usage: Usage }[];
  /**
   * VM root disks: allocated on the host outside the storage driver, counted in `usage`
   * (allocation) and held against the quota at their declared size (see admission).
   */
  readonly rootDisks: readonly {
    readonly workload: string;
    readonly allocatedBytes: number;
    readonly sizeBytes: number;
  }[];
  readonly snapshots: readonly SnapshotView[];
}

export interface DoctorReport {
  readonly backend: string;
  readonly storage: string;
  /** True only when the selected backend can run containers. */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

export interface ReconcileReport {
  /** Creates, destroys and changes a crash interrupted, and what was done about them. */
  readonly recovered: readonly { readonly workload: string; readonly action: string }[];
  /** Workloads recorded as present that the host does not know. */
  readonly missing: readonly string[];
  readonly unmanaged: readonly UnmanagedContainer[];
  readonly prunedSnapshots: number;
  /** What this process's start-up recovery did before this reconcile (absent when it did nothing). */
  readonly atStartup?: {
    readonly recovered: readonly { readonly workload: string; readonly action: string }[];
    readonly prunedSnapshots: number;
    readonly error?: string;
  };
}

/** What `autostart` did. */
export interface AutostartReport {
  readonly started: readonly string[];
  readonly failed: readonly { readonly workload: string; readonly reason: string }[];
}

/** Options of a live list subscription. */
export interface WatchRequest {
  /** How often the host is asked for live state changes it made by itself, in ms (default 15 s). */
  readonly pollMs?: number;
}

/** A live list subscription (`watch`): the list now, then every change the subscriber may see. */
export interface WorkloadWatch {
  readonly current: ListResult;
  /** Called with the whole new list whenever the subscriber's view changed; returns an unsubscribe function. */
  onChange(listener: (result: ListResult) => void): () => void;
  /** Settles when the subscription ended: `close()` or voxnix stopping (`closed`), or the subscriber's access ended (denied). */
  readonly ended: Promise<{ readonly reason: "closed" | "access-ended" }>;
  close(): void;
}
