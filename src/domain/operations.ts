/**
 * The catalogue of operations and their risk classes. Policy, the authorization test
 * matrix, the CLI and the agent's tools are all built from this one list, so an operation
 * added here without a policy fails the tests.
 *
 * @module
 */

/** How dangerous an operation is. `destroy` always needs a confirmation; `admin` needs the admin role. */
export type RiskClass = "read" | "mutate" | "destroy" | "admin";

/**
 * Whom an operation concerns:
 * - `workload`: one named workload; only its owner (or an admin) may touch it;
 * - `self`: the caller's own things (their list, their storage, their jobs);
 * - `host`: the whole appliance; admins only.
 */
export type OperationScope = "workload" | "self" | "host";

export interface OperationPolicy {
  readonly risk: RiskClass;
  readonly scope: OperationScope;
}

/** Every operation the core offers, with its policy. */
export const OPERATIONS = {
  create: { risk: "mutate", scope: "self" },
  start: { risk: "mutate", scope: "workload" },
  stop: { risk: "mutate", scope: "workload" },
  restart: { risk: "mutate", scope: "workload" },
  destroy: { risk: "destroy", scope: "workload" },
  confirm: { risk: "destroy", scope: "self" },
  restore: { risk: "mutate", scope: "self" },
  exec: { risk: "mutate", scope: "workload" },
  openSession: { risk: "mutate", scope: "workload" },
  openForward: { risk: "mutate", scope: "workload" },
  list: { risk: "read", scope: "self" },
  show: { risk: "read", scope: "workload" },
  logs: { risk: "read", scope: "workload" },
  storage: { risk: "read", scope: "self" },
  job: { risk: "read", scope: "self" },
  whoami: { risk: "read", scope: "self" },
  doctor: { risk: "admin", scope: "host" },
  reconcile: { risk: "admin", scope: "host" },
  buildImages: { risk: "admin", scope: "host" },
  listUsers: { risk: "admin", scope: "host" },
  approveUser: { risk: "admin", scope: "host" },
  denyUser: { risk: "admin", scope: "host" },
  setUserLimits: { risk: "admin", scope: "host" },
  createApiToken: { risk: "admin", scope: "host" },
  listApiTokens: { risk: "admin", scope: "host" },
  revokeApiToken: { risk: "admin", scope: "host" },
  addSshKey: { risk: "mutate", scope: "self" },
  listSshKeys: { risk: "read", scope: "self" },
  removeSshKey: { risk: "mutate", scope: "self" },
} as const satisfies Record<string, OperationPolicy>;

export type OperationName = keyof typeof OPERATIONS;

/** All operation names, in declaration order. */
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];
