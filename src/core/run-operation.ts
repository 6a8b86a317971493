/**
 * The one path every operation takes: a tracing span, input validation, the actor's user,
 * policy, the workload (for workload operations, with "not yours" = "not found"), locks, and
 * an audit record with the outcome and duration. Operations supply only their own logic.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Actor } from "../domain/identity.js";
import { OPERATIONS, type OperationName } from "../domain/operations.js";
import type { StoredUser } from "../state/users-repository.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
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
  /** The workload, loaded and access-checked, for `workload`-scope operations. */
  readonly workload: WorkloadRecord | undefined;
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
  readonly run: (scope: OperationScope<Input>) => Promise<Result>;
}

/** Runs `request` through validation, policy, locking and audit. Always rejects with a `VoxnixError`. */
export async function runOperation<Input, Result>(services: CoreServices, request: OperationRequest<Input, Result>): Promise<Result> {
  const { context } = services;
  const startedAt = context.deps.clock.now();
  const started = performance.now();
  const attributes = { "voxnix.operation": request.operation, "voxnix.actor": String(request.actor?.userId) };
  return tracer.startActiveSpan(`voxnix.${request.operation}`, { attributes }, async (span) => {
    const releases: (() => void)[] = [];
    let target: string | undefined;
    let detached = false;
    let finished = false;
    const finish = (error: { kind: string } | undefined, jobId?: string): void => {
      if (finished) return;
      finished = true;
      for (const release of releases.splice(0).reverse()) release();
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const fields = { operation: request.operation, actor: String(request.actor?.userId), target, jobId, outcome: error ? "error" : "ok", errorKind: error?.kind, durationMs };
      // Reads are frequent and harmless: debug. Everything else is worth a line at info.
      if (OPERATIONS[request.operation].risk === "read") context.deps.logger.debug(fields, "operation");
      else context.deps.logger.info(fields, "operation");
      recordAudit(context, {
        actor: String(request.actor?.userId),
        operation: request.operation,
        ...(target === undefined ? {} : { target }),
        args: request.args,
        ...(error ? { error } : {}),
        durationMs,
        startedAt,
        ...(jobId === undefined ? {} : { jobId }),
      });
    };
    try {
      validateActor(request.actor);
      const input = request.validate();
      target = request.target?.(input);
      if (target !== undefined) span.setAttribute("voxnix.workload", target);
      await services.ready;
      const user = resolveUser(context, request.actor);
      authorize(request.operation, user);
      let workload: WorkloadRecord | undefined;
      if (OPERATIONS[request.operation].scope === "workload" && target !== undefined) {
        workload = context.repos.workloads.get(target);
        if (!workload || !canAccess(user, workload)) throw workloadNotFound(target);
      }
      const result = await request.run({
        user,
        input,
        workload,
        lock: (name) => releases.push(services.locks.acquire(name)),
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
      if (!detached) finish(undefined);
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
