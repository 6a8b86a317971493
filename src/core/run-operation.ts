/**
 * The one path every operation takes: a tracing span, input validation, the actor's user,
 * policy, the workload (for workload operations, with "not yours" = "not found"), its lock,
 * state and runtime capabilities as the operation's row in the table says, and an audit
 * record with the outcome and duration. Operations supply only their own logic.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Actor } from "../domain/identity.js";
import { operationPolicy, type OperationName, type RuntimeCapability } from "../domain/operations.js";
import { requireStatus } from "../domain/workload-state.js";
import { InvalidInputError } from "../domain/errors.js";
import type { CoreContext } from "./context.js";
import { runtimeForWorkload } from "./runtime-registry.js";
import type { StoredUser } from "../state/users-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { ImportedVmRecord } from "../state/imported-vms-repository.js";
import { importedRefusal, visibleImport } from "./imported-vms.js";
import { recordAudit } from "./audit.js";
import { toVoxnixError } from "./errors.js";
import { authorize, canAccess, workloadNotFound } from "./policy.js";
import type { CoreServices } from "./services.js";
import { resolveUser, validateActor } from "./users.js";

const tracer = trace.getTracer("voxnix");

/** What an operation's logic can use. */
export interface OperationScope<Input> {
  readonly user: StoredUser;
  readonly input: Input;
  /**
   * The workload, loaded and access-checked, for `workload`-scope operations; when the row
   * says `lock`, re-read under the lock; in one of the row's `states`.
   */
  readonly workload: WorkloadRecord | undefined;
  /** True for a dry run (`Core.plan`): check everything, change nothing. */
  readonly dryRun: boolean;
  /** Takes the workload lock (released when the operation, or its job, ends) or throws `ConflictError('busy')`. */
  readonly lock: (name: string) => void;
  /**
   * Keeps locks and the audit record open until a job ends. Returns the callback the job
   * runner calls when the job settles (before `job-end` is emitted), which releases the
   * locks and writes the audit record with the job's outcome.
   */
  readonly detach: () => (jobId: string | undefined, error?: unknown) => void;
  /** Names the workload concerned, for the audit record and the span (when not known up front). */
  readonly setTarget: (name: string) => void;
}

/** One operation request. */
export interface OperationRequest<Input, Result> {
  readonly operation: OperationName;
  readonly actor: Actor;
  /** Arguments for the audit record (secrets are redacted by key name). */
  readonly args?: unknown;
  /** Parses and validates the input; throws `InvalidInputError`. Runs before anything else. */
  readonly validate: () => Input;
  /** The workload name the input concerns, if any. */
  readonly target?: (input: Input) => string | undefined;
  /** A dry run: no lock is taken and the audit record says so. */
  readonly dryRun?: boolean;
  readonly run: (scope: OperationScope<Input>) => Promise<Result>;
  /**
   * For workload operations that also serve imported VMs (show, start, stop): runs instead of
   * `run` when the name is an imported VM the actor may see. Without it, such a name is
   * refused with an error naming the `imported` entry and `allowPowerControl`.
   */
  readonly imported?: (
    entry: ImportedVmRecord,
    scope: { readonly user: StoredUser; readonly dryRun: boolean },
  ) => Promise<Result>;
}

/** Results that are outcomes other than `done` say so in the audit record. */
function outcomeType(result: unknown): string | undefined {
  const type = (result as { type?: unknown } | undefined)?.type;
  return type === "needs-confirmation" || type === "planned" ? type : undefined;
}

/** Runs `request` through validation, policy, locking and audit. Always rejects with a `VoxnixError`. */
export async function runOperation<Input, Result>(
  services: CoreServices,
  request: OperationRequest<Input, Result>,
): Promise<Result> {
  const { context } = services;
  const startedAt = context.deps.clock.now();
  const started = performance.now();
  const attributes = { "voxnix.operation": request.operation, "voxnix.actor": String(request.actor?.userId) };
  return tracer.startActiveSpan(`voxnix.${request.operation}`, { attributes }, async (span) => {
    const releases: (() => void)[] = [];
    let target: string | undefined;
    let detached = false;
    let finished = false;
    const policy = operationPolicy(request.operation);
    const dryRun = request.dryRun === true;
    const finish = (error: { kind: string } | undefined, jobId?: string, result?: unknown): void => {
      if (finished) return;
      finished = true;
      for (const release of releases.splice(0).reverse()) release();
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const answered = outcomeType(result);
      const fields = {
        operation: request.operation,
        actor: String(request.actor?.userId),
        target,
        jobId,
        outcome: error ? "error" : (answered ?? "ok"),
        errorKind: error?.kind,
        durationMs,
      };
      // Reads are frequent and harmless: debug. Everything else is worth a line at info.
      if (policy.risk === "read" || dryRun) context.deps.logger.debug(fields, "operation");
      else context.deps.logger.info(fields, "operation");
      // Something may have changed: live views re-read (coalesced; reads and dry runs change nothing).
      if (policy.risk !== "read" && !dryRun) services.changes.notify();
      recordAudit(context, {
        actor: String(request.actor?.userId),
        operation: request.operation,
        ...(target === undefined ? {} : { target }),
        args:
          dryRun || answered
            ? {
                ...(request.args as object | undefined),
                ...(dryRun ? { dryRun: true } : {}),
                ...(answered ? { answered } : {}),
              }
            : request.args,
        ...(error ? { error } : {}),
        durationMs,
        startedAt,
        ...(jobId === undefined ? {} : { jobId }),
      });
    };
    try {
      // The row says whether a dry run exists; an operation file cannot offer one on its own.
      if (dryRun && policy.plan !== true)
        throw new InvalidInputError([{ path: "operation", message: `${request.operation} has no dry run.` }]);
      validateActor(request.actor);
      const input = request.validate();
      target = request.target?.(input);
      if (target !== undefined) span.setAttribute("voxnix.workload", target);
      await services.ready;
      const user = resolveUser(context, request.actor);
      authorize(request.operation, user);
      let workload: WorkloadRecord | undefined;
      let imported: ImportedVmRecord | undefined;
      if (policy.scope === "workload" && target !== undefined) {
        workload = context.repos.workloads.get(target);
        if (!workload || !canAccess(user, workload)) {
          // Not a workload of theirs: an imported VM they may see, or the one "not found".
          imported = visibleImport(context, user, target);
          if (imported === undefined) throw workloadNotFound(target);
          if (request.imported === undefined) throw importedRefusal(imported, request.operation);
          if (policy.lock && !dryRun) releases.push(services.locks.acquire(imported.name));
          workload = undefined;
        }
      }
      if (workload !== undefined) {
        if (policy.lock && !dryRun) {
          releases.push(services.locks.acquire(workload.name));
          // Read again under the lock: the row may have changed while we waited for it.
          const current = context.repos.workloads.get(workload.name);
          if (!current || current.owner !== workload.owner) throw workloadNotFound(workload.name);
          workload = current;
        }
        if (policy.states) requireStatus(workload.name, workload.status, policy.states);
        if (policy.requires) requireCapabilities(context, workload, policy.requires);
      }
      const result =
        imported !== undefined && request.imported !== undefined
          ? await request.imported(imported, { user, dryRun })
          : await request.run({
              user,
              input,
              workload,
              dryRun,
              lock: (name) => {
                if (!dryRun) releases.push(services.locks.acquire(name));
              },
              detach: () => {
                detached = true;
                return (jobId, error) => {
                  finish(error === undefined ? undefined : { kind: toVoxnixError(error).kind }, jobId);
                };
              },
              setTarget: (name) => {
                target = name;
                span.setAttribute("voxnix.workload", name);
              },
            });
      if (!detached) finish(undefined, undefined, result);
      // A job started (a create's row now says "creating"): live views re-read now, not at its end only.
      else if (!dryRun) services.changes.notify();
      // Job operations return a JobHandle; name its job on the span before the span ends.
      const jobId = detached ? (result as { id?: unknown } | undefined)?.id : undefined;
      if (typeof jobId === "string") span.setAttribute("voxnix.job", jobId);
      span.end();
      return result;
    } catch (error) {
      const failure = toVoxnixError(error);
      finish({ kind: failure.kind });
      span.setAttribute("voxnix.error_kind", failure.kind);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      span.end();
      throw failure;
    }
  });
}

/** Refuses an operation whose workload's runtime lacks a capability the operation needs. */
function requireCapabilities(
  context: CoreContext,
  workload: WorkloadRecord,
  required: readonly RuntimeCapability[],
): void {
  const runtime = runtimeForWorkload(context.deps.runtimes, workload);
  const { capabilities, name } = runtime.info();
  const missing = required.filter((capability) => !capabilities[capability]);
  if (missing.length === 0) return;
  throw new InvalidInputError([
    {
      path: "name",
      message: `"${workload.name}" runs on the ${name} runtime, which cannot do that (no ${missing.join(", ")}).`,
    },
  ]);
}
