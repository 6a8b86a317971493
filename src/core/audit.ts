/**
 * Audit records: what each operation request did. Arguments are redacted before they are
 * stored: any field whose name suggests a secret becomes `***`.
 *
 * @module
 */
import type { CoreContext } from "./context.js";

const SECRET_KEY = /token|secret|password|passphrase|key|credential|auth/i;

/** Returns a copy of `value` with secret-looking fields replaced by `***` (depth-limited). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "…";
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = SECRET_KEY.test(key) && item !== undefined ? "***" : redact(item, depth + 1);
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
