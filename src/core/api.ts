/**
 * The public surface of the core: every operation a person can ask for, as one typed
 * function taking an `Actor`. Adapters (CLI, Telegram, the agent's tools, HTTP) call only
 * this interface. Each operation validates first, checks policy, locks the workload, audits,
 * and either returns its result or throws a `VoxnixError` (see `domain/errors.ts`).
 *
 * @module
 */
import type { Actor, Role, UserId, UserLimits, UserStatus } from "../domain/identity.js";
import type { ContainerSpecInput, WorkloadKind, WorkloadSpec } from "../domain/spec.js";
import type { VmSpecInput } from "../domain/vm-spec.js";
import type { ChangePlan, Done, NeedsConfirmation, Planned, PlanRequest } from "../api/outcome.js";
import type { ChangeRequestInput, FieldChange } from "../domain/change.js";
import type { WorkloadStatus } from "../domain/workload-state.js";
import type { ModuleInfo } from "../domain/catalog.js";
import type { AnyVoxnixError, VoxnixErrorKind } from "../domain/errors.js";
import type { DoctorCheck, ImageBuildReport, LiveState, LogEntry, ProgressEvent, ProgressListener, SessionCommand } from "../ports/runtime.js";
import type { CommandResult, InteractiveProcess, TerminalSize } from "../ports/command-runner.js";
import type { Usage } from "../ports/storage-driver.js";
import type { ActivityKind, TimeoutSource } from "../domain/idle.js";

export type { WorkloadStatus } from "../domain/workload-state.js";
export type { ChangePlan, CreatePlan, Done, NeedsConfirmation, OperationPlan, Planned, PlanRequest } from "../api/outcome.js";

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
 * A cluster VM voxnix did not create, assigned to an owner by a definitions file: shown to that
 * owner and to admins, read-only (voxnix never changes it).
 */
export interface ImportedVmView {
  readonly name: string;
  readonly vmid: number;
  readonly owner: UserId;
  /** What the cluster reports now; `missing` when it no longer lists the VM. */
  readonly live: LiveState | "missing";
  readonly note?: string;
  readonly readOnly: true;
}

export interface ListResult {
  readonly workloads: readonly WorkloadView[];
  /** Present (possibly empty) only for admins. */
  readonly unmanaged?: readonly UnmanagedContainer[];
  /** Imported cluster VMs assigned to the actor (admins: every assigned one); present when there are any. */
  readonly imported?: readonly ImportedVmView[];
}

/** What each kind of job resolves with; `JobKind` is its keys, so a new kind must say. */
export interface JobResults {
  readonly create: WorkloadView;
  readonly restore: WorkloadView;
  readonly destroy: DestroyResult;
  readonly change: ChangeResult;
}

export type JobKind = keyof JobResults;
export type JobState = "running" | "succeeded" | "failed" | "interrupted";

/** A job's persisted state; any adapter (or a later process) can query it. */
export interface JobView {
  readonly id: string;
  readonly kind: JobKind;
  readonly workload: string;
  readonly owner: UserId;
  readonly state: JobState;
  /** The latest progress step message. */
  readonly progress: string;
  readonly error?: { readonly kind: VoxnixErrorKind; readonly message: string };
  readonly startedAt: Date;
  readonly endedAt?: Date;
}

/** Events a job emits; the last is always `job-end`. Noun-action names. */
export type JobEvent =
  | { readonly type: "job-start"; readonly job: JobView }
  | (ProgressEvent & { readonly jobId: string })
  | { readonly type: "job-end"; readonly job: JobView };

/**
 * A running (or finished) long operation. The job keeps running if the caller stops
 * listening; `wait` resolves with the result or rejects with the job's `VoxnixError`.
 */
export interface JobHandle<T> {
  readonly id: string;
  readonly kind: JobKind;
  /** Subscribe to events; replays nothing, so subscribe right after receiving the handle. Returns an unsubscribe function. */
  onEvent(listener: (event: JobEvent) => void): () => void;
  wait(): Promise<T>;
}

/** Any job, its result type following its kind: narrow on `kind` instead of guessing from the result's shape. */
export type AnyJobHandle = { [K in JobKind]: JobOf<K> }[JobKind];

/** The handle of a job of kind `K`. */
export type JobOf<K extends JobKind> = JobHandle<JobResults[K]> & { readonly kind: K };

/** A finished job's result, tagged with its kind. */
export type JobResult = { [K in JobKind]: { readonly kind: K; readonly value: JobResults[K] } }[JobKind];

/** A snapshot kept by a destroy, restorable until `expiresAt`. */
export interface SnapshotView {
  readonly id: string;
  readonly workload: string;
  readonly owner: UserId;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** What a finished change job answers: the workload with its new settings. */
export interface ChangeResult {
  readonly operation: "change";
  readonly workload: string;
  /** Every field before → after. */
  readonly changes: readonly FieldChange[];
  readonly restarted: boolean;
  readonly view: WorkloadView;
  readonly warnings: readonly string[];
  /** A change keeps no snapshot (it never touches the workspace); present so confirm's results read alike. */
  readonly snapshot?: undefined;
}

/** What `confirm` answers: the job of the confirmed destroy or change. */
export type ConfirmedResult = DestroyResult | ChangeResult;

/** The job a confirmation starts: a destroy's or a change's (narrow on `kind`). */
export type ConfirmedJob = JobOf<"destroy"> | JobOf<"change">;

/** True for a change job's result. */
export function isChangeResult(result: unknown): result is ChangeResult {
  return (result as { operation?: unknown } | null)?.operation === "change";
}

/** A change that needs no confirmation has started: its plan and its job. */
export interface ChangeStarted {
  readonly type: "job";
  readonly plan: ChangePlan;
  readonly job: JobOf<"change">;
}

/**
 * What `change` answers: `done` with the plan when there is nothing to change, a started job,
 * or (for a restart or a removed module) a confirmation to give with `confirm`.
 */
export type ChangeOutcome = Done<ChangePlan> | ChangeStarted | NeedsConfirmation;

export interface DestroyResult {
  readonly workload: string;
  /** The workspace snapshot, when there was a workspace. */
  readonly snapshot?: SnapshotView;
  /** Non-fatal problems (a failed logout, storage cleanup that failed and what remains). */
  readonly warnings: readonly string[];
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
  readonly rootDisks: readonly { readonly workload: string; readonly allocatedBytes: number; readonly sizeBytes: number }[];
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
  /** Creates/destroys a crash interrupted, and what was done about them. */
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

/** What `impersonate` did. */
export interface Impersonation {
  readonly user: UserView;
  /** True when the user was pending and the admin's impersonation approved them. */
  readonly approved: boolean;
}

/** A user as admins see them. */
export interface UserView {
  readonly id: UserId;
  readonly role: Role;
  readonly status: UserStatus;
  readonly limits: UserLimits;
  readonly displayName?: string;
  readonly workloads: number;
  readonly createdAt: Date;
  /** After `denyUser`: the user's workloads that were stopped (data kept). */
  readonly stoppedWorkloads?: readonly string[];
  /** After `denyUser`: workloads that could not be stopped, and why. */
  readonly stopFailures?: readonly { readonly workload: string; readonly reason: string }[];
}

export interface ExecRequest {
  readonly name: string;
  readonly argv: readonly string[];
  readonly interactive?: boolean;
  readonly timeoutMs?: number;
}

/** A dashboard login link: `token` is shown this once, works once, and expires at `expiresAt`. */
export interface LoginLink {
  readonly userId: UserId;
  readonly token: string;
  readonly expiresAt: Date;
}

/** A web session just started: `secret` is the cookie's value (only its hash is stored). */
export interface StartedWebSession {
  /** A public handle for audit records. */
  readonly id: string;
  readonly userId: UserId;
  readonly secret: string;
  readonly expiresAt: Date;
}

/** What a login link looks like before it is used (for the page its visitor sees). */
export type LoginLinkState = "usable" | "used" | "expired" | "unknown";

/** Who a session cookie stands for. */
export interface WebSessionIdentity {
  readonly actor: Actor;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

/** Opening a shell: the workload and the terminal's size in cells. */
export interface ShellRequest {
  readonly name: string;
  readonly cols: number;
  readonly rows: number;
  /**
   * How long the shell survives a dropped connection (`detach`) waiting for a reattach, in
   * milliseconds (0 to 3,600,000); default 0: a dropped connection ends the shell.
   */
  readonly reattachMs?: number;
}

/** Reattaching to a detached (or still attached) shell: its resume token and the terminal's size now. */
export interface AttachShellRequest {
  readonly name: string;
  readonly resumeToken: string;
  readonly cols: number;
  readonly rows: number;
}

/** An open interactive shell in a workload. Closing it (or the shell exiting) is audited. */
export interface ShellSession {
  /** A public handle for audit records. */
  readonly id: string;
  readonly workload: string;
  /**
   * The secret that reattaches this shell (`attachShell`), for its user only; kept in memory,
   * never stored or audited.
   */
  readonly resumeToken: string;
  /** True when this handle reattached an existing shell (its output starts with the scrollback). */
  readonly reattached: boolean;
  /** Types into the shell. */
  write(data: string): void;
  /** Resizes the terminal; sizes out of bounds are ignored. */
  resize(size: { readonly cols: number; readonly rows: number }): void;
  /** Output as it comes; returns an unsubscribe function. */
  onData(listener: (data: string) => void): () => void;
  /** Settles when the shell has ended (never rejects). */
  readonly exited: Promise<{ readonly exitCode: number | null }>;
  /** Hangs up. Idempotent. */
  close(): void;
  /**
   * The connection went away: keep the shell for its grace window (its output goes to the
   * scrollback), then hang up. Without a grace window, the same as `close`.
   */
  detach(): void;
  /** Called once if a reattach elsewhere took the shell over (this handle then gets no more output). */
  onSuperseded(listener: () => void): void;
}

/** The transports sessions arrive through, for the audit record. */
export type SessionTransport = "ssh" | "web";

/** A streaming session in a workload: a shell, one command, or its SFTP server. */
export interface SessionRequest {
  readonly name: string;
  readonly command: SessionCommand;
  /** A terminal (interactive shells); `term` like `xterm-256color`. */
  readonly terminal?: TerminalSize & { readonly term: string };
  readonly via: SessionTransport;
  /**
   * Told before a workload stopped for idleness is started again for this session
   * ("starting web…"), so the person knows why the connection takes a moment.
   */
  readonly onWake?: (message: string) => void;
}

/** An open session. Its audit record is written when it ends: kind, transport, duration and exit status, never its data. */
export interface Session extends InteractiveProcess {
  readonly id: string;
}

/** A TCP connection to a port of a workload (SSH `-L`). Only the workload's own address is ever returned. */
export interface ForwardRequest {
  readonly name: string;
  /** What the client asked to reach: `localhost`, the workload's name or one of its addresses. */
  readonly host: string;
  readonly port: number;
  readonly via: SessionTransport;
}

/** Where to connect for a granted forward; `close` ends its audit record (idempotent). */
export interface Forward {
  readonly address: string;
  readonly port: number;
  close(): void;
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
  /** Settles when the subscription ended: `close()`, or the subscriber's access ended (denied). */
  readonly ended: Promise<{ readonly reason: "closed" | "access-ended" }>;
  close(): void;
}

/** Filters of the audit log (admins); every given one must match. */
export interface AuditLogQuery {
  /** Who acted (`telegram:42`, `local:admin`). */
  readonly user?: string;
  /** The workload concerned. */
  readonly workload?: string;
  /** The operation (`destroy`, `openShell`, `closeShell`…). */
  readonly operation?: string;
  readonly outcome?: "ok" | "error";
  /** Started at or after (a Date or an ISO 8601 string). */
  readonly since?: Date | string;
  /** Started before. */
  readonly until?: Date | string;
  /** The cursor of the page to read: records older than this id (a page's `next`). */
  readonly before?: number;
  /** Records per page, 1 to 200 (default 50). */
  readonly limit?: number;
}

/** One audit record as admins read it (arguments already redacted when written). */
export interface AuditLogEntry {
  readonly id: number;
  readonly actor: string;
  readonly operation: string;
  readonly target?: string;
  readonly args: unknown;
  readonly outcome: "ok" | "error";
  readonly errorKind?: string;
  readonly durationMs: number;
  readonly startedAt: Date;
  readonly jobId?: string;
}

/** A page of the audit log, newest first; `next` is the cursor of the following page, absent on the last. */
export interface AuditLogPage {
  readonly entries: readonly AuditLogEntry[];
  readonly next?: number;
}

/** An SSH public key as shown: public data only. */
export interface SshKeyView {
  readonly fingerprint: string;
  readonly userId: UserId;
  readonly algorithm: string;
  readonly bits: number;
  readonly comment?: string;
  readonly createdBy: UserId;
  readonly createdAt: Date;
}

export interface AddSshKeyRequest {
  /** One public key line, as in `~/.ssh/id_ed25519.pub`. */
  readonly publicKey: string;
  /** Whose key (admins only for someone else); default: the caller. */
  readonly userId?: string;
}

export interface ListSshKeysRequest {
  readonly userId?: string;
  /** Every user's keys (admins). */
  readonly all?: boolean;
}

export interface RemoveSshKeyRequest {
  readonly fingerprint: string;
  readonly userId?: string;
}

/** The core. One method per operation in `OPERATIONS`; the authorization tests iterate that list. */
export interface Core {
  // Workloads
  /** Validates, admits (quota, name), then starts a create job. */
  create(actor: Actor, input: ContainerSpecInput | VmSpecInput): Promise<JobOf<"create">>;
  /**
   * The dry run of any operation with `plan: true` in the operation table: the same
   * validation, policy, state and quota checks as the real call, then what it would do.
   * Touches nothing (no lock, no token, no host command that changes anything).
   */
  plan(actor: Actor, request: PlanRequest): Promise<Planned>;
  start(actor: Actor, name: string): Promise<WorkloadView>;
  stop(actor: Actor, name: string): Promise<WorkloadView>;
  restart(actor: Actor, name: string): Promise<WorkloadView>;
  /** Never destroys: answers with the plan and a single-use token for `confirm`. */
  destroy(actor: Actor, name: string): Promise<NeedsConfirmation>;
  /**
   * Changes modules and limits of a workload, keeping its workspace: nothing to do, a job, or
   * (when it restarts the workload or removes a module) a plan and token for `confirm`.
   */
  change(actor: Actor, name: string, change: ChangeRequestInput): Promise<ChangeOutcome>;
  /** Carries out a confirmed plan (a destroy or a change); refuses other actors, expired or used tokens and changed plans. */
  confirm(actor: Actor, token: string): Promise<ConfirmedJob>;
  /** Brings back a destroyed workload from its snapshot, within the undo window. */
  restore(actor: Actor, name: string): Promise<JobOf<"restore">>;
  exec(actor: Actor, request: ExecRequest): Promise<CommandResult>;
  /** Opens a streaming session (shell, command, SFTP) in a workload through the confined exec path. */
  openSession(actor: Actor, request: SessionRequest): Promise<Session>;
  /** Grants a TCP connection to a port of the workload's own address, or refuses every other target. */
  openForward(actor: Actor, request: ForwardRequest): Promise<Forward>;
  list(actor: Actor): Promise<ListResult>;
  /** The list now and on every change, for live views; audited once when opened, not per update. */
  watch(actor: Actor, request?: WatchRequest): Promise<WorkloadWatch>;
  show(actor: Actor, name: string): Promise<WorkloadDetails>;
  /** The SSH host keys of the actor's VM `name`, with fingerprints and age recipients (for re-keying secrets). */
  hostKey(actor: Actor, name: string): Promise<HostKeyReport>;
  logs(actor: Actor, name: string, options?: { readonly lines?: number }): Promise<readonly LogEntry[]>;
  storage(actor: Actor): Promise<StorageReport>;
  job(actor: Actor, id: string): Promise<JobView>;
  whoami(actor: Actor): Promise<UserView>;
  /**
   * Resets the inactivity timer of the actor's workload `name`; without a name, of every
   * workload of the actor whose owner was warned (the reply "keep" to a warning).
   */
  keep(actor: Actor, name?: string): Promise<KeepResult>;
  /** Sets the workload's own inactivity timeout ("4h", "off", or "default"), within the owner's maximum. */
  setIdleTimeout(actor: Actor, name: string, timeout: string): Promise<IdleView>;
  /**
   * One round of the inactivity timers: warns owners whose workloads stop soon and stops those
   * whose time is up (an audited stop with reason "idle"). Run by `voxnix serve`; not itself
   * an operation (its warnings and stops are audited).
   */
  idleTick(): Promise<IdleTickReport>;
  /** The modules the selected backend can provide (for help texts and the model's context). */
  modules(): readonly ModuleInfo[];
  /** The kinds of workload this appliance can create (a kind without a configured runtime is left out). */
  workloadKinds(): readonly WorkloadKind[];

  /**
   * Starts every workload the actor may touch (all of them for admins) whose owner last asked
   * for it to run but that is not running, e.g. after a host reboot.
   */
  autostart(actor: Actor): Promise<AutostartReport>;

  // Host (admins)
  doctor(actor: Actor): Promise<DoctorReport>;
  reconcile(actor: Actor): Promise<ReconcileReport>;
  /** Builds the backend's images with progress (admins). */
  buildImages(actor: Actor, options: { readonly onProgress: ProgressListener }): Promise<ImageBuildReport>;

  // Users (admins)
  listUsers(actor: Actor): Promise<readonly UserView[]>;
  approveUser(actor: Actor, userId: string): Promise<UserView>;
  denyUser(actor: Actor, userId: string): Promise<UserView>;
  setUserLimits(actor: Actor, userId: string, limits: Partial<UserLimitsInput>): Promise<UserView>;
  /** The audit log with filters, newest first, a page at a time (admins). */
  auditLog(actor: Actor, query?: AuditLogQuery): Promise<AuditLogPage>;
  /** Prepares `userId` for an admin to act as them: registered, and approved when pending. */
  impersonate(actor: Actor, userId: string): Promise<Impersonation>;
  /** Ids of the active admins, for delivering a newcomer's request (pending users may ask). */
  listAdmins(actor: Actor): Promise<readonly UserId[]>;

  // API tokens (admins)
  /** Creates an API token acting as `userId` (registered on first use); the secret is in the result only. */
  createApiToken(actor: Actor, userId: string): Promise<CreatedApiToken>;
  /** Lists API tokens (of `userId` when given), never their secrets. */
  listApiTokens(actor: Actor, userId?: string): Promise<readonly ApiTokenView[]>;
  /** Revokes an API token; requests carrying it are refused from then on. */
  revokeApiToken(actor: Actor, id: string): Promise<ApiTokenView>;
  /** The actor an API token acts as, or undefined for an unknown or revoked token (a lookup, not an audited operation). */
  authenticateToken(secret: string): Actor | undefined;

  // The web dashboard
  /** A single-use login link for the actor itself, valid for minutes. */
  createLoginLink(actor: Actor): Promise<LoginLink>;
  /** Whether a login link could still be used (a lookup that changes nothing; not audited). */
  inspectLoginLink(token: string): LoginLinkState;
  /** Uses a login link (once): a new web session for the link's user, who is the actor. */
  startWebSession(token: string): Promise<StartedWebSession>;
  /** Who a session cookie stands for, or undefined for an unknown, ended or expired one (a lookup, not audited). */
  authenticateSession(secret: string): WebSessionIdentity | undefined;
  /** Logs out: ends the actor's session `secret`. */
  endWebSession(actor: Actor, secret: string): Promise<{ readonly id: string }>;
  /** Opens an interactive login shell in a workload (the browser terminal). */
  openShell(actor: Actor, request: ShellRequest): Promise<ShellSession>;
  /** Reattaches to the actor's own shell in that workload by its resume token; anything else is "not found". */
  attachShell(actor: Actor, request: AttachShellRequest): Promise<ShellSession>;
  // SSH keys (each person their own; admins anyone's)
  addSshKey(actor: Actor, request: AddSshKeyRequest): Promise<SshKeyView>;
  listSshKeys(actor: Actor, request?: ListSshKeysRequest): Promise<readonly SshKeyView[]>;
  removeSshKey(actor: Actor, request: RemoveSshKeyRequest): Promise<SshKeyView>;
  /**
   * The owner of a registered public key, given its SSH wire-format blob, or undefined for an
   * unknown key (a lookup, not an audited operation; the gateway audits what follows).
   */
  authenticateSshKey(blob: Uint8Array): Actor | undefined;
}

/** An API token as listed: never the secret. */
export interface ApiTokenView {
  readonly id: string;
  readonly userId: UserId;
  readonly createdBy: UserId;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

/** A freshly created API token: `token` is shown this once and never stored. */
export interface CreatedApiToken extends ApiTokenView {
  readonly token: string;
}

/** Limits as admins type them (sizes as strings like "20G"). */
export interface UserLimitsInput {
  readonly diskQuota: string | number;
  readonly maxWorkloads: number;
  readonly cpuBudget: number;
  readonly memoryBudget: string | number;
  /** Processes summed over the user's workloads' `pids` limits. */
  readonly pidsBudget: number | string;
  /** The longest inactivity timeout the user's workloads may have ("8h"); "none" removes the maximum. */
  readonly maxIdleTimeout: string;
  /** What a create that names no kind gets: `vm` for people the admin trusts less. */
  readonly defaultKind: "container" | "vm";
  /** True: containers are refused for this user. */
  readonly vmOnly: boolean;
}

export type { AnyVoxnixError };
