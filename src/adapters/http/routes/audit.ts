/**
 * The audit log (admins): `GET /api/v1/audit` with filters, newest first, a page at a time
 * (`?before=` the previous page's `next`). Anyone else gets 403, like every admin route.
 *
 * @module
 */
import { z } from "zod";
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { errorResponse, okEnvelope } from "../schemas.js";

const wholeNumber = (max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

/** The audit log's query parameters. */
export const auditQuery = z
  .object({
    user: z.string().min(1).max(128).optional().describe("Who acted, like telegram:42"),
    workload: z.string().min(1).max(64).optional().describe("The workload concerned"),
    operation: z.string().min(1).max(40).optional().describe("The operation, like destroy, openShell or closeShell"),
    outcome: z.enum(["ok", "error"]).optional(),
    since: z.string().min(1).max(40).optional().describe("Started at or after (ISO 8601)"),
    until: z.string().min(1).max(40).optional().describe("Started before (ISO 8601)"),
    before: wholeNumber(Number.MAX_SAFE_INTEGER).optional().describe("The cursor: the previous page's `next`"),
    limit: wholeNumber(200).optional().describe("Records per page, 1 to 200 (default 50)"),
  })
  .strict();

const auditEntry = z.looseObject({
  id: z.number().int(),
  actor: z.string(),
  operation: z.string(),
  target: z.string().optional(),
  args: z.unknown(),
  outcome: z.enum(["ok", "error"]),
  errorKind: z.string().optional(),
  durationMs: z.number(),
  startedAt: z.string(),
  jobId: z.string().optional(),
});

/** The audit routes. */
export const AUDIT_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/audit",
    summary: "The audit log, newest first, with filters and a page cursor (admins)",
    operation: "auditLog",
    query: auditQuery,
    responses: {
      200: {
        description: "A page of records; `next` is the `before` of the following page",
        schema: okEnvelope(z.object({ entries: z.array(auditEntry), next: z.number().int().optional() })),
      },
      403: { description: "Not an admin", schema: errorResponse },
      422: { description: "Invalid filters", schema: errorResponse },
    },
    handle: async ({ actor, query }, { core }) => okResponse(await core.auditLog(actor, query)),
  }),
];
