/**
 * The public surface of the core: every operation a person can ask for, as one typed
 * function taking an `Actor`. Adapters (CLI, Telegram, the agent's tools, HTTP) call only
 * this interface. Each operation validates first, checks policy, locks the workload, audits,
 * and either returns its result or throws a `VoxnixError` (see `domain/errors.ts`).
 *
 * The types are kept by subject under `core/api/`; this file is the one import path the
 * adapters use.
 *
 * @module
 */
import type { AnyVoxnixError } from "../domain/errors.js";

export type { WorkloadStatus } from "../domain/workload-state.js";
export type {
  ChangePlan,
  CreatePlan,
  Done,
  NeedsConfirmation,
  OperationPlan,
  Planned,
  PlanRequest,
} from "../api/outcome.js";
export type { AnyVoxnixError };
export {
  type AutostartReport,
  type CreateOptions,
  type DoctorReport,
  type HostKeyReport,
  type HostKeyView,
  type IdleNotice,
  type IdleTickReport,
  type IdleView,
  type ImportedVmDetails,
  type ImportedVmView,
  isImportedVm,
  workloadOf,
  type KeepResult,
  type ListResult,
  type ReconcileReport,
  type SnapshotView,
  type StorageReport,
  type UnmanagedContainer,
  type WatchRequest,
  type WorkloadDetails,
  type WorkloadView,
  type WorkloadWatch,
} from "./api/workloads.js";
export {
  type AnyJobHandle,
  type ChangeOutcome,
  type ChangeResult,
  type ChangeStarted,
  type ConfirmedJob,
  type ConfirmedResult,
  type CreateJob,
  type DestroyResult,
  type JobEvent,
  type JobHandle,
  type JobKind,
  type JobOf,
  type JobResult,
  type JobResults,
  type JobState,
  type JobView,
  isChangeResult,
} from "./api/jobs.js";
export {
  type AttachShellRequest,
  type ExecRequest,
  type Forward,
  type ForwardRequest,
  type Session,
  type SessionRequest,
  type SessionTransport,
  type ShellRequest,
  type ShellSession,
} from "./api/sessions.js";
export {
  type AddSshKeyRequest,
  type ApiTokenView,
  type AuditLogEntry,
  type AuditLogPage,
  type AuditLogQuery,
  type CreatedApiToken,
  type Impersonation,
  type ListSshKeysRequest,
  type LoginLink,
  type LoginLinkState,
  type RemoveSshKeyRequest,
  type SshKeyView,
  type StartedWebSession,
  type UserLimitsInput,
  type UserView,
  type WebSessionIdentity,
} from "./api/accounts.js";
export { type Core } from "./api/core.js";
// Port types that are part of what the core hands adapters (a session's streams, a log line,
// a progress event, a doctor check, a usage figure): re-exported so adapters never import ports.
export type { DoctorCheck, ImageBuildReport, LogEntry, ProgressEvent, SessionCommand } from "../ports/runtime.js";
export type { InteractiveProcess } from "../ports/command-runner.js";
export type { Usage } from "../ports/storage-driver.js";
export { EXEC_TIMEOUT, SHELL_MAX_MS } from "./api/sessions.js";
