/**
 * The caller's own account: who the token acts as, their storage, and the module catalog
 * they can create from.
 *
 * @module
 */
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { moduleList, okEnvelope, storageReport, userView } from "../schemas.js";

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
    path: "/modules",
    summary: "The modules you can pick when creating a workload: name, description, options, ports, conflicts",
    // The catalog is not anyone's data; the caller is checked (and the read audited) as a whoami.
    operation: "whoami",
    responses: {
      200: { description: "The module catalog of this appliance's backend", schema: okEnvelope(moduleList) },
    },
    handle: async ({ actor }, { core }) => {
      await core.whoami(actor);
      return okResponse(core.modules());
    },
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
