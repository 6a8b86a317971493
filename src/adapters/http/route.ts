/**
 * How a route is declared: method, path, the core operation it reaches, its zod schemas and a
 * handler. `app.ts` registers each declaration with Hono (parsing and validating the body and
 * query first) and `openapi.ts` describes the same declarations, so the document cannot
 * drift from the routes.
 *
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import type { OperationName } from "../../domain/operations.js";
import type { JobEvents } from "./job-events.js";

/** What every route handler can use. */
export interface RouteServices {
  readonly core: Core;
  readonly jobs: JobEvents;
  /** Milliseconds between polls of a job this server did not start (SSE). */
  readonly jobPollMs: number;
  /** Milliseconds between the live view's checks of the host for drift (`/events`, SSE). */
  readonly watchPollMs: number;
  /** How long one `/events` stream lasts before it ends (the browser reconnects). */
  readonly watchMaxMs: number;
}

/** One parsed request, as a handler receives it. */
export interface RouteRequest<Body = unknown, Query = unknown> {
  /** The caller, from the API token or session cookie only. */
  readonly actor: Actor;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Body;
  readonly query: Query;
  readonly context: Context;
}

/** A documented response of a route. */
export interface RouteResponse {
  readonly description: string;
  /** The JSON body; absent for an event stream. */
  readonly schema?: z.ZodType;
  /** True for `text/event-stream`. */
  readonly eventStream?: boolean;
}

/** A route of the API under `/api/v1`. Paths use OpenAPI's `{param}` syntax. */
export interface RouteDefinition {
  readonly method: "get" | "post" | "patch" | "delete";
  readonly path: string;
  readonly summary: string;
  /** The core operation this route reaches (the authorization matrix tests iterate them). */
  readonly operation: OperationName;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly responses: Readonly<Record<number, RouteResponse>>;
  readonly handle: (request: RouteRequest<never, never>, services: RouteServices) => Promise<Response>;
}

/** Declares a route with typed body and query (inferred from the schemas). */
export function defineRoute<BodySchema extends z.ZodType = z.ZodNever, QuerySchema extends z.ZodType = z.ZodNever>(
  route: Omit<RouteDefinition, "handle" | "body" | "query"> & {
    readonly body?: BodySchema;
    readonly query?: QuerySchema;
    readonly handle: (
      request: RouteRequest<z.output<BodySchema>, z.output<QuerySchema>>,
      services: RouteServices,
    ) => Promise<Response>;
  },
): RouteDefinition {
  return route;
}

/** The Hono form of an OpenAPI path: `/workloads/{name}` → `/workloads/:name`. */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z]+)\}/g, ":$1");
}
