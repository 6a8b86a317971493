/**
 * Audit records: what each operation request did. Arguments are redacted before they are
 * stored: any field whose name suggests a secret becomes `***`, an exec's `argv` loses the
 * values after password-ish flags, and every string loses secret-looking values (`KEY=value`
 * with a secret-looking key, URL credentials, long token-like strings); see `domain/redaction.ts`.
 *
 * @module
 */
import { REDACTED, isSecretName, redactArgv, redactString } from "../domain/redaction.js";
import type { CoreContext } from "./context.js";

/** Returns a copy of `value` with secret-looking fields and values replaced by `***` (depth-limited). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "…";
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === "object") {
    // No prototype: a `__proto__` key in the input must stay a plain (redacted) field.
    const result = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) {
      if (isSecretName(key) && item !== undefined) result[key] = REDACTED;
      else if (key === "argv" && Array.isArray(item) && item.every((part) => typeof part === "string"))
        result[key] = redactArgv(item);
      else result[key] = redact(item, depth + 1);
    }
    return result;
  }
  return value;
}

/** What `recordAudit` needs. */
export interface AuditEntry {
  readonly actor: string;
  readonly operation: string;
  readonly target?: string;
  readonly args?: unknown;
  readonly error?: { readonly kind: string };
  readonly durationMs: number;
  readonly startedAt: Date;
  readonly jobId?: string;
}

/** Writes one audit record; a failing write is logged, never thrown over the operation's result. */
export function recordAudit(context: CoreContext, entry: AuditEntry): void {
  try {
    context.repos.audit.append({
      actor: entry.actor,
      operation: entry.operation,
      ...(entry.target === undefined ? {} : { target: entry.target }),
      args: redact(entry.args ?? {}),
      outcome: entry.error ? "error" : "ok",
      ...(entry.error ? { errorKind: entry.error.kind } : {}),
      durationMs: Math.round(entry.durationMs * 1000) / 1000,
      startedAt: entry.startedAt,
      ...(entry.jobId === undefined ? {} : { jobId: entry.jobId }),
    });
  } catch (error) {
    context.deps.logger.error({ err: error, operation: entry.operation }, "Could not write the audit record");
  }
}
