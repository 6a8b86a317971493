/**
 * Request and response schemas of the HTTP API, in zod. Requests are parsed with them
 * (strictly: an unknown member such as `owner` is refused); responses are described by them in
 * the OpenAPI document (`openapi.ts`). The core validates inputs again, in depth.
 *
 * @module
 */
import { z } from "zod";

const size = z.union([z.string(), z.number()]).describe('a size like "512M", "10G" or a byte count');
const date = z.string().describe("ISO-8601 date");
const userId = z.string().describe('a user id like "telegram:42" or "web:alice"');

/** `POST /workloads`: the container spec (the same fields as `voxnix ctl create`). */
export const createWorkloadBody = z
  .object({
    name: z.string().max(64),
    modules: z.array(z.string().max(64)).max(64).optional(),
    moduleOptions: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .optional(),
    workspace: z.object({ enabled: z.boolean().optional(), size: size.optional() }).strict().optional(),
    resources: z
      .object({ cpus: z.number().optional(), memory: size.optional(), pids: z.number().int().optional() })
      .strict()
      .optional(),
    remoteAccess: z.boolean().optional(),
    idleTimeout: z
      .string()
      .max(32)
      .optional()
      .describe(
        'Stop it after this long without activity: "2h", "90m", "off" (never) or "default"; within your maximum',
      ),
  })
  .strict();

/** `?dryRun=true` on `POST /workloads`: validate and plan, touch nothing. */
export const createWorkloadQuery = z.object({ dryRun: z.enum(["true", "false"]).optional() }).strict();

/** `?dryRun=true` on any mutating workload route: the core's plan, nothing changed. */
export const dryRunQuery = createWorkloadQuery;

/** `PATCH /workloads/{name}`: the change as a person states it (absent fields are kept). */
export const changeWorkloadBody = z
  .object({
    addModules: z.array(z.string().max(64)).max(32).optional(),
    removeModules: z.array(z.string().max(64)).max(32).optional(),
    moduleOptions: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .optional(),
    cpus: z.number().optional(),
    memory: size.optional(),
    pids: z.number().int().optional(),
    workspaceSize: size.optional(),
  })
  .strict();

/** A change plan: every field before → after and whether the workload restarts. */
export const changePlan = z.looseObject({
  operation: z.literal("change"),
  workload: z.string(),
  changes: z.array(z.object({ field: z.string(), before: z.string(), after: z.string() })),
  unchanged: z.boolean(),
  restart: z.boolean(),
  disruptive: z.boolean(),
  removes: z.array(z.string()),
  keeps: z.array(z.string()),
  notes: z.array(z.string()),
});

/** `POST /confirmations`: the token a destroy (or a disruptive change) answered with. */
export const confirmBody = z.object({ token: z.string().min(1).max(200) }).strict();

/** `GET /workloads/{name}/logs?lines=N`. */
export const logsQuery = z
  .object({
    lines: z
      .string()
      .regex(/^\d{1,4}$/, "must be a whole number up to 9999")
      .optional(),
  })
  .strict();

/** `PATCH /users/{id}/limits`: only the given limits change. */
export const limitsBody = z
  .object({
    diskQuota: size.optional(),
    maxWorkloads: z.number().int().optional(),
    cpuBudget: z.number().optional(),
    memoryBudget: size.optional(),
    pidsBudget: z.number().int().optional(),
    maxIdleTimeout: z
      .string()
      .max(32)
      .optional()
      .describe('the longest idle timeout, like "8h"; "none" for no maximum'),
    defaultKind: z.enum(["container", "vm"]).optional(),
    vmOnly: z.boolean().optional(),
  })
  .strict();

/** No query parameters at all. */
export const emptyQuery = z.object({}).strict();

const spec = z.looseObject({
  name: z.string(),
  modules: z.array(z.string()),
  moduleOptions: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  workspace: z.looseObject({ enabled: z.boolean(), sizeBytes: z.number().optional() }),
  resources: z.object({ cpus: z.number(), memoryBytes: z.number(), pids: z.number() }),
  remoteAccess: z.boolean(),
});

/** A workload as its owner (or an admin) sees it. */
export const workloadView = z.looseObject({
  name: z.string(),
  owner: userId,
  kind: z.literal("container"),
  backend: z.string(),
  status: z.enum(["creating", "ready", "destroying", "failed"]),
  desired: z.enum(["running", "stopped"]),
  live: z.string(),
  addresses: z.array(z.string()),
  spec,
  createdAt: date,
  idleNotice: z
    .union([
      z.object({ type: z.literal("warning"), stopsAt: date }),
      z.object({ type: z.literal("stopped"), at: date }),
    ])
    .optional()
    .describe("Lists only: a pending idle warning (it stops at stopsAt unless kept) or an idle stop"),
});

/** `show`: the workload plus live details, storage and remote access. */
/** A workload's inactivity timer: when and why it stops. */
export const idleView = z.looseObject({
  timeoutMs: z.number().describe("0: never stopped for idleness"),
  source: z.enum(["default", "workload", "user maximum"]),
  lastActivity: z.object({ at: date, kind: z.string() }),
  stopsAt: date.optional(),
  warnedAt: date.optional(),
  stoppedForIdleAt: date.optional(),
  workingHours: z.string().optional(),
  summary: z.string().describe('"stops at 14:05 if idle (timeout 2h, last activity 12:05 ssh session)"'),
});

/** `POST /workloads/{name}/idle-timeout`: "2h", "off" or "default". */
export const idleTimeoutBody = z.object({ timeout: z.string().min(1).max(32) }).strict();

/** What `keep` did. */
export const keepResult = z.object({ kept: z.array(z.object({ workload: z.string(), stopsAt: date.optional() })) });

/** A cluster VM voxnix did not create, listed under `imported` in a definitions file; `allowPowerControl`: its owner and admins may start and stop it. */
export const importedVmView = z.object({
  name: z.string(),
  vmid: z.number().int(),
  owner: z.string().optional().describe("absent: assigned to nobody (admins only)"),
  live: z.string(),
  note: z.string().optional(),
  readOnly: z.literal(true),
  allowPowerControl: z.boolean(),
});

/** `show`, `start`, `stop` of an imported VM (tell it from a workload by `kind`). */
export const importedVmDetails = importedVmView.extend({
  kind: z.literal("imported-vm"),
  addresses: z.array(z.string()),
  facts: z.record(z.string(), z.string()),
});

export const workloadDetails = workloadView.extend({
  since: date.optional(),
  facts: z.record(z.string(), z.string()),
  storage: z.looseObject({}).optional(),
  remoteAccess: z.looseObject({ state: z.string() }).optional(),
  idle: idleView.optional(),
});

/** `list`: your workloads (admins: everyone's, plus unmanaged containers). */
export const listResult = z.object({
  workloads: z.array(workloadView),
  unmanaged: z.array(z.object({ name: z.string(), state: z.string() })).optional(),
  /** Imported cluster VMs assigned to you (admins: all), read-only. */
  imported: z.array(importedVmView).optional(),
});

/** A job's persisted state. */
export const jobView = z.object({
  id: z.string(),
  kind: z.enum(["create", "destroy", "restore", "change"]),
  workload: z.string(),
  owner: userId,
  state: z.enum(["running", "succeeded", "failed", "interrupted"]),
  progress: z.string(),
  error: z.object({ kind: z.string(), message: z.string() }).optional(),
  startedAt: date,
  endedAt: date.optional(),
});

/** The answer to a request that started a job (202): follow it at `events`. */
export const jobStarted = z.object({
  job: jobView,
  events: z.string().describe("URL path of the job's Server-Sent Events"),
});

/** `create?dryRun=true`: the validated spec and what the backend would do. */
/** A dry run's answer: what the operation would do (`api/outcome.ts`). */
export const planned = z.looseObject({
  type: z.literal("planned"),
  plan: z.looseObject({ operation: z.string(), workload: z.string().optional(), steps: z.array(z.string()) }),
});

export const createPlan = z.looseObject({
  spec,
  owner: userId,
  workspaceHostPath: z.string().optional(),
  backend: z.string(),
  backendPlan: z.looseObject({}),
});

/** A user as admins see them. */
export const userView = z.looseObject({
  id: userId,
  role: z.enum(["admin", "user"]),
  status: z.enum(["pending", "active", "denied"]),
  limits: z.object({
    diskQuotaBytes: z.number(),
    maxWorkloads: z.number(),
    cpuBudget: z.number(),
    memoryBudgetBytes: z.number(),
    pidsBudget: z.number(),
    maxIdleTimeoutMs: z.number().optional(),
  }),
  displayName: z.string().optional(),
  workloads: z.number(),
  createdAt: date,
  stoppedWorkloads: z.array(z.string()).optional(),
});

/** `logs`: recent log lines. */
export const logEntries = z.array(z.looseObject({ message: z.string() }));

/** `hostKey`: a VM's SSH host keys. */
export const hostKeyReport = z.looseObject({
  workload: z.string(),
  keys: z.array(
    z.looseObject({
      key: z.string(),
      algorithm: z.string(),
      fingerprint: z.string(),
      ageRecipient: z.string().optional(),
      nativeAgeRecipient: z.string().optional(),
    }),
  ),
});

/** `storage`: usage, quota, workspaces and restorable snapshots. */
export const storageReport = z.looseObject({
  user: userId,
  driver: z.string(),
  quotasEnforced: z.boolean(),
  usage: z.looseObject({}),
  workspaces: z.array(z.looseObject({ workload: z.string() })),
  snapshots: z.array(z.looseObject({ id: z.string(), workload: z.string() })),
});

/** Every error body: the CLI's `--json` error shape. */
export const errorResponse = z.object({
  ok: z.literal(false),
  error: z.looseObject({
    kind: z
      .string()
      .describe(
        "invalid-input, not-found, conflict, quota, forbidden, needs-confirmation, host-failure, timeout, unauthorized, rate-limited, too-large, internal",
      ),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    plan: z.object({ workload: z.string(), removes: z.array(z.string()), keeps: z.array(z.string()) }).optional(),
    token: z.string().optional(),
    expiresAt: date.optional(),
  }),
});

/** Wraps a result schema in the success envelope `{"ok":true,"result":…}`. */
export function okEnvelope(result: z.ZodType): z.ZodType {
  return z.object({ ok: z.literal(true), result });
}

/** `GET /modules`: the module catalog. */
export const moduleList = z.array(
  z.looseObject({
    name: z.string(),
    description: z.string(),
    secrets: z.array(z.string()),
    conflicts: z.array(z.string()),
    ports: z.array(z.looseObject({ port: z.number(), protocol: z.string(), description: z.string() })),
    options: z.record(
      z.string(),
      z.looseObject({ type: z.enum(["port", "int", "string", "boolean"]), description: z.string() }),
    ),
  }),
);
