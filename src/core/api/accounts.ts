/**
 * People and their credentials as the core shows them: users and limits, web sessions and login
 * links, API tokens, SSH keys, and the audit log admins read.
 *
 * @module
 */
import type { Actor, Role, UserId, UserLimits, UserStatus } from "../../domain/identity.js";

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
