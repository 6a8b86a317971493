/**
 * The operation table: every operation the core offers, with its whole policy in one row.
 * `run-operation` reads the row (who may call it, which workload states it accepts, whether
 * it locks, whether it has a dry run, which runtime capabilities it needs); an operation file
 * holds only what happens. The authorization test matrices (core and HTTP) are generated from
 * this table, each HTTP route names its row, and `Core.plan` offers exactly the rows with
 * `plan: true` (a compile error otherwise), so an operation added without a row, or a row
 * without its cases, fails the type check or the tests.
 *
 * Adding a verb: one row here, one file under `core/operations/`, a method on `Core`
 * (`core/api/core.ts`) and one line in `create-core.ts` (docs/architecture.md, "How to add…").
 *
 * @module
 */
import type { WorkloadStatus } from "./workload-state.js";

/** How dangerous an operation is. `destroy` always needs a confirmation; `admin` needs the admin role. */
export type RiskClass = "read" | "mutate" | "destroy" | "admin";

/**
 * Whom an operation concerns:
 * - `workload`: one named workload; only its owner (or an admin) may touch it;
 * - `self`: the caller's own things (their list, their storage, their jobs);
 * - `host`: the whole appliance; admins only.
 */
export type OperationScope = "workload" | "self" | "host";

/** What a runtime must be able to do for an operation on one of its workloads. */
export type RuntimeCapability = "exec" | "interactiveShell" | "console" | "remoteAccess" | "liveResize";

export interface OperationPolicy {
  readonly risk: RiskClass;
  readonly scope: OperationScope;
  /** For `workload` scope: the recorded states the operation accepts (see `workload-state.ts`). */
  readonly states?: readonly WorkloadStatus[];
  /** Takes the workload's lock for its whole run (and its job's), re-reading the row under it. */
  readonly lock?: boolean;
  /** The first call answers `needs-confirmation` with a plan and a single-use token. */
  readonly confirm?: boolean;
  /** Its work runs as a job; the call answers with the job. */
  readonly job?: boolean;
  /** Has a dry run through `Core.plan` that checks everything and touches nothing. */
  readonly plan?: boolean;
  /** Runtime capabilities the workload's runtime must have. */
  readonly requires?: readonly RuntimeCapability[];
}

const READY: readonly WorkloadStatus[] = ["ready"];

/** Every operation the core offers, with its policy. */
export const OPERATIONS = {
  create: { risk: "mutate", scope: "self", job: true, plan: true },
  start: { risk: "mutate", scope: "workload", states: READY, lock: true, plan: true },
  stop: { risk: "mutate", scope: "workload", states: READY, lock: true, plan: true },
  restart: { risk: "mutate", scope: "workload", states: READY, lock: true, plan: true },
  destroy: { risk: "destroy", scope: "workload", states: ["ready", "failed"], lock: true, confirm: true, plan: true },
  confirm: { risk: "destroy", scope: "self", job: true, plan: true },
  /** Changes modules and limits; disruptive changes (a restart, a removed module) answer `needs-confirmation` instead. */
  change: { risk: "mutate", scope: "workload", states: READY, lock: true, confirm: true, job: true, plan: true },
  restore: { risk: "mutate", scope: "self", job: true, plan: true },
  exec: { risk: "mutate", scope: "workload", requires: ["exec"] },
  openSession: { risk: "mutate", scope: "workload", states: READY, requires: ["exec"], plan: true },
  openForward: { risk: "mutate", scope: "workload", states: READY },
  list: { risk: "read", scope: "self" },
  show: { risk: "read", scope: "workload" },
  logs: { risk: "read", scope: "workload" },
  hostKey: { risk: "read", scope: "workload" },
  storage: { risk: "read", scope: "self" },
  job: { risk: "read", scope: "self" },
  whoami: { risk: "read", scope: "self" },
  doctor: { risk: "admin", scope: "host" },
  reconcile: { risk: "admin", scope: "host", plan: true },
  autostart: { risk: "mutate", scope: "self", plan: true },
  buildImages: { risk: "admin", scope: "host", plan: true },
  listUsers: { risk: "admin", scope: "host" },
  approveUser: { risk: "admin", scope: "host", plan: true },
  denyUser: { risk: "admin", scope: "host", plan: true },
  setUserLimits: { risk: "admin", scope: "host", plan: true },
  impersonate: { risk: "admin", scope: "host" },
  listAdmins: { risk: "read", scope: "self" },
  createApiToken: { risk: "admin", scope: "host", plan: true },
  listApiTokens: { risk: "admin", scope: "host" },
  revokeApiToken: { risk: "admin", scope: "host", plan: true },
  createLoginLink: { risk: "mutate", scope: "self", plan: true },
  startWebSession: { risk: "mutate", scope: "self" },
  endWebSession: { risk: "mutate", scope: "self" },
  openShell: { risk: "mutate", scope: "workload", states: READY, requires: ["interactiveShell"] },
  addSshKey: { risk: "mutate", scope: "self", plan: true },
  listSshKeys: { risk: "read", scope: "self" },
  removeSshKey: { risk: "mutate", scope: "self", plan: true },
  // Without a name, `keep` resets the actor's warned workloads (its reply to a warning).
  keep: { risk: "mutate", scope: "workload", states: READY, plan: true },
  setIdleTimeout: { risk: "mutate", scope: "workload", states: READY, lock: true, plan: true },
  // The dashboard's live view: audited once when opened; the re-reads it pushes are not (docs/web.md).
  watch: { risk: "read", scope: "self" },
  // Reattaching a browser terminal to its shell within the grace window (same user only).
  attachShell: { risk: "mutate", scope: "workload", states: READY, requires: ["interactiveShell"] },
  // The audit log with filters, newest first, a page at a time.
  auditLog: { risk: "admin", scope: "host" },
} as const satisfies Record<string, OperationPolicy>;

export type OperationName = keyof typeof OPERATIONS;

/** All operation names, in declaration order. */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** The row of `operation`, typed as the general policy. */
export function operationPolicy(operation: OperationName): OperationPolicy {
  return OPERATIONS[operation];
}

/** Operations with a dry run. */
export type PlannableOperation = {
  [K in OperationName]: (typeof OPERATIONS)[K] extends { readonly plan: true } ? K : never;
}[OperationName];
