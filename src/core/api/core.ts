/**
 * The `Core` interface: one method per operation in `OPERATIONS` (the authorization tests
 * iterate that list). Adapters call only this.
 *
 * @module
 */
import type { Actor, UserId } from "../../domain/identity.js";
import type { ContainerSpecInput, WorkloadKind } from "../../domain/spec.js";
import type { VmSpecInput } from "../../domain/vm-spec.js";
import type { NeedsConfirmation, Planned, PlanRequest } from "../../api/outcome.js";
import type { ChangeRequestInput } from "../../domain/change.js";
import type { ModuleInfo } from "../../domain/catalog.js";
import type { ImageBuildReport, LogEntry, ProgressListener } from "../../ports/runtime.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type {
  AddSshKeyRequest,
  ApiTokenView,
  AuditLogPage,
  AuditLogQuery,
  CreatedApiToken,
  Impersonation,
  ListSshKeysRequest,
  LoginLink,
  LoginLinkState,
  RemoveSshKeyRequest,
  SshKeyView,
  StartedWebSession,
  UserLimitsInput,
  UserView,
  WebSessionIdentity,
} from "./accounts.js";
import type { ChangeOutcome, ConfirmedJob, CreateJob, JobOf, JobView } from "./jobs.js";
import type {
  AttachShellRequest,
  ExecRequest,
  Forward,
  ForwardRequest,
  Session,
  SessionRequest,
  ShellRequest,
  ShellSession,
} from "./sessions.js";
import type {
  AutostartReport,
  CreateOptions,
  DoctorReport,
  HostKeyReport,
  IdleTickReport,
  ImportedVmDetails,
  IdleView,
  KeepResult,
  ListResult,
  ReconcileReport,
  StorageReport,
  WatchRequest,
  WorkloadDetails,
  WorkloadView,
  WorkloadWatch,
} from "./workloads.js";

/** The core. One method per operation in `OPERATIONS`; the authorization tests iterate that list. */
export interface Core {
  // Workloads
  /** Validates, admits (quota, name, the idle timeout within the owner's maximum), then starts a create job. */
  create(actor: Actor, input: ContainerSpecInput | VmSpecInput, options?: CreateOptions): Promise<CreateJob>;
  /**
   * The dry run of any operation with `plan: true` in the operation table: the same
   * validation, policy, state and quota checks as the real call, then what it would do.
   * Touches nothing (no lock, no token, no host command that changes anything).
   */
  plan(actor: Actor, request: PlanRequest): Promise<Planned>;
  /** Starts a workload, or an imported VM whose entry allows it (`allowPowerControl`). */
  start(actor: Actor, name: string): Promise<WorkloadView | ImportedVmDetails>;
  /** Stops a workload, or an imported VM whose entry allows it (`allowPowerControl`). */
  stop(actor: Actor, name: string): Promise<WorkloadView | ImportedVmDetails>;
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
  /** A workload's details, or an imported VM's (assigned to the actor, or any for admins). */
  show(actor: Actor, name: string): Promise<WorkloadDetails | ImportedVmDetails>;
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
