/**
 * `auditLog` (admins): the audit log, newest first, a page at a time, filtered by who acted
 * (`user`), which workload (`workload`), the operation, the outcome and a time range. Pages
 * are keyset pagination: each page gives the cursor (`next`, the last record's id) for the
 * one after it, so records appended while someone pages never shift or repeat entries.
 * Reading the log is itself audited, with the filters.
 *
 * @module
 */
import { z } from "zod";
import { InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { zodIssues } from "../../domain/spec.js";
import type { AuditLogPage, AuditLogQuery } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Records per page unless asked otherwise, and at most. */
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

const time = z.union([z.date(), z.string().trim().min(1).max(40)]).transform((value, context) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    context.addIssue({ code: "custom", message: "must be a date and time, like 2026-12-02T10:00:00Z" });
    return z.NEVER;
  }
  return date;
});

const querySchema = z
  .object({
    user: z.string().trim().min(1).max(128).optional(),
    workload: z.string().trim().min(1).max(64).optional(),
    operation: z
      .string()
      .regex(/^[A-Za-z]{1,40}$/, "must be an operation name, like destroy or openShell")
      .optional(),
    outcome: z.enum(["ok", "error"]).optional(),
    since: time.optional(),
    until: time.optional(),
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
  })
  .strict();

/** One page of the audit log. */
export function readAuditLog(services: CoreServices, actor: Actor, query: AuditLogQuery = {}): Promise<AuditLogPage> {
  const { context } = services;
  return runOperation(services, {
    operation: "auditLog",
    actor,
    args: { ...query },
    validate: () => {
      const parsed = querySchema.safeParse(query ?? {});
      if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
      const { since, until } = parsed.data;
      if (since && until && since.getTime() >= until.getTime())
        throw new InvalidInputError([{ path: "until", message: "until must be later than since." }]);
      return parsed.data;
    },
    run: async ({ input }) => {
      const limit = input.limit ?? AUDIT_PAGE_DEFAULT;
      // One more than asked: whether there is a next page, without a count query.
      const rows = context.repos.audit.query({
        ...(input.user === undefined ? {} : { actor: input.user }),
        ...(input.workload === undefined ? {} : { target: input.workload }),
        ...(input.operation === undefined ? {} : { operation: input.operation }),
        ...(input.outcome === undefined ? {} : { outcome: input.outcome }),
        ...(input.since === undefined ? {} : { since: input.since }),
        ...(input.until === undefined ? {} : { until: input.until }),
        ...(input.before === undefined ? {} : { beforeId: input.before }),
        limit: limit + 1,
      });
      const entries = rows.slice(0, limit);
      const last = entries[entries.length - 1];
      return { entries, ...(rows.length > limit && last ? { next: last.id } : {}) };
    },
  });
}
