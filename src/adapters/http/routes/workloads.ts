/**
 * Workload routes: list, create (with `?dryRun=true`), show, start, stop, restart, destroy
 * (answers 409 `needs-confirmation` with the plan and token), restore and logs.
 *
 * @module
 */
import { okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { createPlan, createWorkloadBody, createWorkloadQuery, emptyQuery, errorResponse, jobStarted, listResult, logEntries, logsQuery, okEnvelope, workloadDetails, workloadView } from "../schemas.js";
import { jobStartedResponse } from "./jobs.js";

const notFound = { description: "No such workload — or not yours (the same answer)", schema: errorResponse };

/** Start, stop and restart: the same shape. */
function lifecycle(verb: "start" | "stop" | "restart"): RouteDefinition {
  return defineRoute({
    method: "post",
    path: `/workloads/{name}/${verb}`,
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a workload`,
    operation: verb,
    responses: { 200: { description: "The workload", schema: okEnvelope(workloadView) }, 404: notFound },
    handle: async ({ actor, params }, { core }) => okResponse(await core[verb](actor, params.name ?? "")),
  });
}

/** The workload routes. */
export const WORKLOAD_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/workloads",
    summary: "List your workloads (admins: everyone's, plus unmanaged containers)",
    operation: "list",
    query: emptyQuery,
    responses: { 200: { description: "The workloads", schema: okEnvelope(listResult) } },
    handle: async ({ actor }, { core }) => okResponse(await core.list(actor)),
  }),
  defineRoute({
    method: "post",
    path: "/workloads",
    summary: "Create a workload (a job; 202), or with ?dryRun=true return the validated plan (200)",
    operation: "create",
    body: createWorkloadBody,
    query: createWorkloadQuery,
    responses: {
      200: { description: "Dry run: the validated plan; nothing was changed", schema: okEnvelope(createPlan) },
      202: { description: "The create job started; follow its events", schema: okEnvelope(jobStarted) },
      409: { description: "Name taken or a quota would be exceeded", schema: errorResponse },
      422: { description: "Invalid spec", schema: errorResponse },
    },
    handle: async ({ actor, body, query }, services) => {
      if (query.dryRun === "true") return okResponse(await services.core.planCreate(actor, body));
      const handle = await services.core.create(actor, body);
      return jobStartedResponse(actor, handle, services);
    },
  }),
  defineRoute({
    method: "get",
    path: "/workloads/{name}",
    summary: "Show a workload: state, addresses, spec, storage, remote access",
    operation: "show",
    responses: { 200: { description: "The workload's details", schema: okEnvelope(workloadDetails) }, 404: notFound },
    handle: async ({ actor, params }, { core }) => okResponse(await core.show(actor, params.name ?? "")),
  }),
  lifecycle("start"),
  lifecycle("stop"),
  lifecycle("restart"),
  defineRoute({
    method: "delete",
    path: "/workloads/{name}",
    summary: "Plan a destroy: answers 409 needs-confirmation with the plan and a single-use token for POST /confirmations",
    operation: "destroy",
    responses: { 409: { description: "needs-confirmation: the plan (what goes, what is kept), the token and when it expires", schema: errorResponse }, 404: notFound },
    handle: async ({ actor, params }, { core }) => core.destroy(actor, params.name ?? ""),
  }),
  defineRoute({
    method: "post",
    path: "/workloads/{name}/restore",
    summary: "Bring a destroyed workload back from its snapshot (a job; 202)",
    operation: "restore",
    responses: { 202: { description: "The restore job started", schema: okEnvelope(jobStarted) }, 404: { description: "No restorable snapshot of yours", schema: errorResponse } },
    handle: async ({ actor, params }, services) => jobStartedResponse(actor, await services.core.restore(actor, params.name ?? ""), services),
  }),
  defineRoute({
    method: "get",
    path: "/workloads/{name}/logs",
    summary: "Recent log lines of a workload (?lines=N, default 50)",
    operation: "logs",
    query: logsQuery,
    responses: { 200: { description: "Log entries", schema: okEnvelope(logEntries) }, 404: notFound },
    handle: async ({ actor, params, query }, { core }) =>
      okResponse(await core.logs(actor, params.name ?? "", query.lines === undefined ? {} : { lines: Number(query.lines) })),
  }),
];
