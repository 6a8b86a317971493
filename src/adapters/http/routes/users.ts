/**
 * User administration (admins): list, approve, deny and limits. Anyone else gets 403.
 *
 * @module
 */
import { z } from "zod";
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { errorResponse, limitsBody, okEnvelope, userView } from "../schemas.js";

const forbidden = { description: "Not an admin", schema: errorResponse };

/** The user administration routes. */
export const USER_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/users",
    summary: "List users with role, status, workloads and limits (admins)",
    operation: "listUsers",
    responses: { 200: { description: "The users", schema: okEnvelope(z.array(userView)) }, 403: forbidden },
    handle: async ({ actor }, { core }) => okResponse(await core.listUsers(actor)),
  }),
  defineRoute({
    method: "post",
    path: "/users/{id}/approve",
    summary: "Approve a pending (or denied) user (admins)",
    operation: "approveUser",
    responses: {
      200: { description: "The user", schema: okEnvelope(userView) },
      403: forbidden,
      404: { description: "Unknown user", schema: errorResponse },
    },
    handle: async ({ actor, params }, { core }) => okResponse(await core.approveUser(actor, params.id ?? "")),
  }),
  defineRoute({
    method: "post",
    path: "/users/{id}/deny",
    summary: "Deny a user; their running workloads are stopped, data kept (admins)",
    operation: "denyUser",
    responses: {
      200: { description: "The user, with the workloads that were stopped", schema: okEnvelope(userView) },
      403: forbidden,
      404: { description: "Unknown user", schema: errorResponse },
    },
    handle: async ({ actor, params }, { core }) => okResponse(await core.denyUser(actor, params.id ?? "")),
  }),
  defineRoute({
    method: "patch",
    path: "/users/{id}/limits",
    summary: "Change some of a user's limits (admins)",
    operation: "setUserLimits",
    body: limitsBody,
    responses: {
      200: { description: "The user", schema: okEnvelope(userView) },
      403: forbidden,
      422: { description: "Invalid limits", schema: errorResponse },
    },
    handle: async ({ actor, params, body }, { core }) =>
      okResponse(await core.setUserLimits(actor, params.id ?? "", body)),
  }),
];
