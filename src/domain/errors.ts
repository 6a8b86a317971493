/**
 * The closed set of failures every operation can end in. Adapters map `kind` to their
 * transport once (CLI exit codes, Telegram wording, HTTP status) and never parse messages.
 * A destroy waiting for confirmation is not a failure: it is an outcome (`api/outcome.ts`).
 *
 * Messages are written for the person who asked: one sentence saying what was wrong and,
 * where there is one, what to do. They never contain secrets or another user's data.
 *
 * @module
 */

/** Every error kind the core can produce. */
export type VoxnixErrorKind =
  "invalid-input" | "not-found" | "conflict" | "quota" | "forbidden" | "host-failure" | "timeout";

/** Base class: a typed, classified failure. Check `kind`, not `instanceof` subclasses, across packages. */
export abstract class VoxnixError extends Error {
  abstract readonly kind: VoxnixErrorKind;

  static isInstance(error: unknown): error is AnyVoxnixError {
    return error instanceof VoxnixError;
  }
}

/** One problem in the input, pointing at the field it concerns. */
export interface InputIssue {
  /** Dotted path of the field, e.g. `modules.1` or `resources.memory`; empty for the whole input. */
  readonly path: string;
  readonly message: string;
}

/** The input was rejected before anything ran. */
export class InvalidInputError extends VoxnixError {
  readonly kind = "invalid-input" as const;
  override readonly name = "InvalidInputError";
  constructor(
    readonly issues: readonly InputIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((issue) => issue.message).join(" "), options);
  }
}

/**
 * The workload (or job, snapshot, token) does not exist *for this actor*. Also used when it
 * exists but belongs to someone else, so names of other users' workloads never leak.
 */
export class NotFoundError extends VoxnixError {
  readonly kind = "not-found" as const;
  override readonly name = "NotFoundError";
  constructor(
    readonly what: "workload" | "job" | "snapshot" | "confirmation" | "user" | "token" | "ssh-key" | "shell",
    readonly id: string,
    message?: string,
  ) {
    super(message ?? `No ${what} called "${id}" was found.`);
  }
}

/** The request clashes with current state: a taken name, a busy workload, a changed plan. */
export class ConflictError extends VoxnixError {
  readonly kind = "conflict" as const;
  override readonly name = "ConflictError";
  constructor(
    readonly reason: "name-taken" | "busy" | "plan-changed" | "wrong-state" | "key-taken",
    message: string,
  ) {
    super(message);
  }
}

/** A per-user limit would be exceeded. */
export class QuotaError extends VoxnixError {
  readonly kind = "quota" as const;
  override readonly name = "QuotaError";
  constructor(
    readonly limit: "workloads" | "cpu" | "memory" | "pids" | "disk" | "ssh-keys" | "sessions" | "idle-timeout",
    message: string,
  ) {
    super(message);
  }
}

/** Policy refused the actor: not approved yet, denied, or not an admin. */
export class ForbiddenError extends VoxnixError {
  readonly kind = "forbidden" as const;
  override readonly name = "ForbiddenError";
  constructor(
    readonly reason: "pending" | "denied" | "admin-only",
    message: string,
  ) {
    super(message);
  }
}

/** What a destroy would remove and keep, shown to the person before they confirm. */
export interface DestroyPlan {
  readonly workload: string;
  /** Things that disappear, in words ("the container dev and its running processes"). */
  readonly removes: readonly string[];
  /** Things that are kept, in words ("a snapshot of /workspace, restorable for 24 hours"). */
  readonly keeps: readonly string[];
}

/** A host command or host API failed. `detail` is for logs and admins; `message` for people. */
export class HostFailureError extends VoxnixError {
  readonly kind = "host-failure" as const;
  override readonly name = "HostFailureError";
  constructor(
    message: string,
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A host command or operation ran out of time and was stopped. */
export class TimeoutError extends VoxnixError {
  readonly kind = "timeout" as const;
  override readonly name = "TimeoutError";
  constructor(
    message: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The closed union; switch on `kind` and TypeScript checks exhaustiveness. */
export type AnyVoxnixError =
  InvalidInputError | NotFoundError | ConflictError | QuotaError | ForbiddenError | HostFailureError | TimeoutError;
