/**
 * The caller's own account: who the token acts as, and their storage.
 *
 * @module
 */
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { okEnvelope, storageReport, userView } from "../schemas.js";

/** The account routes. */
export const ACCOUNT_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/whoami",
    summary: "The user this API token acts as: role, status, limits",
    operation: "whoami",
    responses: { 200: { description: "The caller", schema: okEnvelope(userView) } },
    handle: async ({ actor }, { core }) => okResponse(await core.whoami(actor)),
  }),
  defineRoute({
    method: "get",
    path: "/storage",
    summary: "Your storage usage and quota, workspaces and restorable snapshots",
    operation: "storage",
    responses: { 200: { description: "The storage report", schema: okEnvelope(storageReport) } },
    handle: async ({ actor }, { core }) => okResponse(await core.storage(actor)),
  }),
];
