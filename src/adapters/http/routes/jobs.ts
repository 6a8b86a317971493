/**
 * Job routes: a job's state, its progress as Server-Sent Events, and confirming a planned
 * destroy (which starts a destroy job). Only the job's owner (or an admin) sees a job;
 * anyone else gets 404, as for a job that does not exist.
 *
 * @module
 */
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { JobEvent, JobHandle, JobView } from "../../../core/api.js";
import type { Actor } from "../../../domain/identity.js";
import { okResponse, toJson } from "../respond.js";
import { defineRoute, type RouteDefinition, type RouteServices } from "../route.js";
import { confirmBody, errorResponse, jobStarted, jobView, okEnvelope } from "../schemas.js";

/** Follows a job this server started and answers 202 with its state and events URL. */
export async function jobStartedResponse(
  actor: Actor,
  handle: JobHandle<unknown>,
  services: RouteServices,
): Promise<Response> {
  services.jobs.follow(handle);
  const job = await services.core.job(actor, handle.id);
  const events = `/api/v1/jobs/${encodeURIComponent(handle.id)}/events`;
  const response = okResponse({ job, events }, 202);
  response.headers.set("location", `/api/v1/jobs/${encodeURIComponent(handle.id)}`);
  return response;
}

/** Streams `job-state` (now), then the job's events up to and including `job-end`. */
async function streamJob(
  stream: SSEStreamingApi,
  actor: Actor,
  first: JobView,
  services: RouteServices,
): Promise<void> {
  let queue = stream.writeSSE({ event: "job-state", data: toJson(first) });
  const send = (event: JobEvent) => {
    queue = queue.then(() => stream.writeSSE({ event: event.type, data: toJson(event) }));
  };
  if (first.state === "running") {
    await new Promise<void>((resolve) => {
      stream.onAbort(resolve);
      const unsubscribe = services.jobs.subscribe(first.id, (event) => {
        if (event.type === "job-start") return; // `job-state` already said it runs.
        send(event);
        if (event.type === "job-end") resolve();
      });
      if (unsubscribe) {
        stream.onAbort(unsubscribe);
        return;
      }
      // Started by another process: follow its persisted state.
      let progress = first.progress;
      const timer = setInterval(() => {
        services.core.job(actor, first.id).then(
          (job) => {
            if (job.progress !== progress) {
              progress = job.progress;
              send({ type: "log", line: job.progress, jobId: job.id });
            }
            if (job.state !== "running") {
              clearInterval(timer);
              send({ type: "job-end", job });
              resolve();
            }
          },
          () => {
            clearInterval(timer);
            resolve();
          },
        );
      }, services.jobPollMs);
      stream.onAbort(() => clearInterval(timer));
    });
  } else {
    send({ type: "job-end", job: first });
  }
  await queue;
}

/** The job and confirmation routes. */
export const JOB_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/jobs/{id}",
    summary: "A create, destroy or restore job's state",
    operation: "job",
    responses: {
      200: { description: "The job", schema: okEnvelope(jobView) },
      404: { description: "No such job of yours", schema: errorResponse },
    },
    handle: async ({ actor, params }, { core }) => okResponse(await core.job(actor, params.id ?? "")),
  }),
  defineRoute({
    method: "get",
    path: "/jobs/{id}/events",
    summary: "A job's progress as Server-Sent Events: job-state, then step/log events, then job-end",
    operation: "job",
    responses: {
      200: { description: "text/event-stream; each event's data is JSON", eventStream: true },
      404: { description: "No such job of yours", schema: errorResponse },
    },
    handle: async ({ actor, params, context }, services) => {
      // Checked before the stream starts, so a job that is not yours is a plain 404.
      const first = await services.core.job(actor, params.id ?? "");
      return streamSSE(context, (stream) => streamJob(stream, actor, first, services));
    },
  }),
  defineRoute({
    method: "post",
    path: "/confirmations",
    summary: "Carry out a planned destroy with its token (a job; 202); only the user who asked can",
    operation: "confirm",
    body: confirmBody,
    responses: {
      202: { description: "The destroy job started", schema: okEnvelope(jobStarted) },
      404: { description: "Unknown, used, expired or someone else's token", schema: errorResponse },
    },
    handle: async ({ actor, body }, services) =>
      jobStartedResponse(actor, await services.core.confirm(actor, body.token), services),
  }),
];
