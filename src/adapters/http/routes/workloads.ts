/**
 * Workload routes: list, create, show, start, stop, restart, change (PATCH; a disruptive change
 * answers 409 `needs-confirmation` like destroy), destroy (answers 409 `needs-confirmation`
 * with the plan and token), restore and logs. Every mutating route takes
 * `?dryRun=true` and answers with the core's plan, changing nothing.
 *
 * @module
 */
import { z } from "zod";
import { createPlanOf, needsConfirmationBody } from "../../../api/outcome.js";
import { jsonResponse, okResponse } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import {
  changePlan,
  changeWorkloadBody,
  createPlan,
  createWorkloadBody,
  createWorkloadQuery,
  dryRunQuery,
  emptyQuery,
  planned,
  errorResponse,
  hostKeyReport,
  idleTimeoutBody,
  idleView,
  importedVmDetails,
  jobStarted,
  keepResult,
  listResult,
  logEntries,
  logsQuery,
  okEnvelope,
  workloadDetails,
  workloadView,
} from "../schemas.js";
import { jobStartedResponse } from "./jobs.js";

const notFound = { description: "No such workload — or not yours (the same answer)", schema: errorResponse };

/** Start, stop and restart: the same shape. */
function lifecycle(verb: "start" | "stop" | "restart"): RouteDefinition {
  return defineRoute({
    method: "post",
    path: `/workloads/{name}/${verb}`,
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a workload`,
    operation: verb,
    query: dryRunQuery,
    responses: {
      200: {
        description:
          "The workload, or with ?dryRun=true what would happen (nothing changed). start and stop also reach an imported VM whose entry says allowPowerControl: true (kind imported-vm)",
        schema: okEnvelope(
          verb === "restart" ? workloadView.or(planned) : z.union([workloadView, importedVmDetails, planned]),
        ),
      },
      404: notFound,
      409: {
        description: "Busy, or an imported VM this is not allowed on (the error names allowPowerControl)",
        schema: errorResponse,
      },
    },
    handle: async ({ actor, params, query }, { core }) => {
      const name = params.name ?? "";
      if (query.dryRun === "true") return okResponse(await core.plan(actor, { operation: verb, name }));
      return okResponse(await core[verb](actor, name));
    },
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
      // The idle timeout is a choice about the workload, not part of its spec.
      const { idleTimeout, ...input } = body;
      if (query.dryRun === "true")
        return okResponse(
          createPlanOf(
            await services.core.plan(actor, {
              operation: "create",
              input,
              ...(idleTimeout === undefined ? {} : { idleTimeout }),
            }),
          ),
        );
      const handle = await services.core.create(actor, input, idleTimeout === undefined ? {} : { idleTimeout });
      return jobStartedResponse(actor, handle, services);
    },
  }),
  defineRoute({
    method: "get",
    path: "/workloads/{name}",
    summary: "Show a workload: state, addresses, spec, storage, remote access",
    operation: "show",
    responses: {
      200: {
        description: "The workload's details, or an imported VM's (kind imported-vm) assigned to you (admins: any)",
        schema: okEnvelope(z.union([workloadDetails, importedVmDetails])),
      },
      404: notFound,
    },
    handle: async ({ actor, params }, { core }) => okResponse(await core.show(actor, params.name ?? "")),
  }),
  lifecycle("start"),
  lifecycle("stop"),
  lifecycle("restart"),
  defineRoute({
    method: "delete",
    path: "/workloads/{name}",
    summary:
      "Plan a destroy: answers 409 needs-confirmation with the plan and a single-use token for POST /confirmations",
    operation: "destroy",
    query: dryRunQuery,
    responses: {
      200: { description: "With ?dryRun=true: the plan, without a token", schema: okEnvelope(planned) },
      409: {
        description: "needs-confirmation: the plan (what goes, what is kept), the token and when it expires",
        schema: errorResponse,
      },
      404: notFound,
    },
    handle: async ({ actor, params, query }, { core }) => {
      const name = params.name ?? "";
      if (query.dryRun === "true") return okResponse(await core.plan(actor, { operation: "destroy", name }));
      return jsonResponse({ ok: false, error: needsConfirmationBody(await core.destroy(actor, name)) }, 409);
    },
  }),
  defineRoute({
    method: "patch",
    path: "/workloads/{name}",
    summary:
      "Change a workload's modules and limits, keeping its workspace: 200 with the plan when nothing changes, 202 with the plan and job when it applies at once, 409 needs-confirmation (plan and token for POST /confirmations) when it restarts the workload or removes a module",
    operation: "change",
    body: changeWorkloadBody,
    query: dryRunQuery,
    responses: {
      200: {
        description: "Nothing to change (the plan says so), or with ?dryRun=true what the change would do",
        schema: okEnvelope(changePlan.or(planned)),
      },
      202: { description: "The change job started", schema: okEnvelope(jobStarted.extend({ plan: changePlan })) },
      409: {
        description:
          "needs-confirmation: the plan (every field before → after, what a restart stops), the token and when it expires",
        schema: errorResponse,
      },
      404: notFound,
      422: { description: "Invalid change (unknown module, over a limit)", schema: errorResponse },
    },
    handle: async ({ actor, params, query, body }, services) => {
      const name = params.name ?? "";
      if (query.dryRun === "true")
        return okResponse(await services.core.plan(actor, { operation: "change", name, change: body }));
      const answer = await services.core.change(actor, name, body);
      if (answer.type === "done") return okResponse(answer.value);
      if (answer.type === "needs-confirmation")
        return jsonResponse({ ok: false, error: needsConfirmationBody(answer) }, 409);
      const started = await jobStartedResponse(actor, answer.job, services);
      const envelope = (await started.json()) as { result: Record<string, unknown> };
      const response = okResponse({ ...envelope.result, plan: answer.plan }, 202);
      response.headers.set("location", started.headers.get("location") ?? "");
      return response;
    },
  }),
  defineRoute({
    method: "post",
    path: "/workloads/{name}/restore",
    summary: "Bring a destroyed workload back from its snapshot (a job; 202)",
    operation: "restore",
    query: dryRunQuery,
    responses: {
      202: { description: "The restore job started", schema: okEnvelope(jobStarted) },
      200: { description: "With ?dryRun=true: what the restore would do", schema: okEnvelope(planned) },
      404: { description: "No restorable snapshot of yours", schema: errorResponse },
    },
    handle: async ({ actor, params, query }, services) => {
      const name = params.name ?? "";
      if (query.dryRun === "true") return okResponse(await services.core.plan(actor, { operation: "restore", name }));
      return jobStartedResponse(actor, await services.core.restore(actor, name), services);
    },
  }),
  defineRoute({
    method: "post",
    path: "/workloads/{name}/keep",
    summary: "Reset the workload's inactivity timer: it keeps running (see docs/idle.md)",
    operation: "keep",
    query: emptyQuery,
    responses: {
      200: { description: "What keeps running, and when it stops if it stays idle", schema: okEnvelope(keepResult) },
      404: notFound,
    },
    handle: async ({ actor, params }, { core }) => okResponse(await core.keep(actor, params.name ?? "")),
  }),
  defineRoute({
    method: "post",
    path: "/workloads/{name}/idle-timeout",
    summary:
      'Set how long the workload may stay idle before it is stopped ("2h", "off", "default"), within your maximum',
    operation: "setIdleTimeout",
    body: idleTimeoutBody,
    query: emptyQuery,
    responses: {
      200: { description: "The timer as `show` reports it", schema: okEnvelope(idleView) },
      404: notFound,
      409: { description: "More than your maximum idle timeout (quota)", schema: errorResponse },
      422: { description: "Not a timeout", schema: errorResponse },
    },
    handle: async ({ actor, params, body }, { core }) =>
      okResponse(await core.setIdleTimeout(actor, params.name ?? "", body.timeout)),
  }),
  defineRoute({
    method: "get",
    path: "/workloads/{name}/logs",
    summary: "Recent log lines of a workload (?lines=N, default 50)",
    operation: "logs",
    query: logsQuery,
    responses: { 200: { description: "Log entries", schema: okEnvelope(logEntries) }, 404: notFound },
    handle: async ({ actor, params, query }, { core }) =>
      okResponse(
        await core.logs(actor, params.name ?? "", query.lines === undefined ? {} : { lines: Number(query.lines) }),
      ),
  }),
  defineRoute({
    method: "get",
    path: "/workloads/{name}/host-key",
    summary: "A VM's SSH host keys with fingerprints and age recipients (for re-keying secrets to it)",
    operation: "hostKey",
    query: emptyQuery,
    responses: { 200: { description: "The host keys", schema: okEnvelope(hostKeyReport) }, 404: notFound },
    handle: async ({ actor, params }, { core }) => okResponse(await core.hostKey(actor, params.name ?? "")),
  }),
];
