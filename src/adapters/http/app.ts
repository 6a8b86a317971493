/**
 * The HTTP server's composition: the OpenAPI document (no token needed), then authentication
 * (API token or session cookie with CSRF checks), the per-user rate limit and the body limit
 * for everything under `/api/v1`, then every route declared in `routes/`, with errors mapped
 * once (`errors.ts`); and the dashboard under `/web` (login links, pages, static files and the
 * browser terminal). Exec has no plain HTTP route: a shell exists only as the terminal's
 * WebSocket, through the core's confined `openShell`.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Core } from "../../core/api.js";
import { InvalidInputError } from "../../domain/errors.js";
import { zodIssues } from "../../domain/spec.js";
import type { Logger } from "../../ports/logger.js";
import { upgradeWebSocket } from "@hono/node-server";
import { authenticate, type AuthVariables } from "./auth.js";
import { createErrorHandler, errorResponse, HttpProblem, notFoundRoute } from "./errors.js";
import { JobEvents } from "./job-events.js";
import { API_BASE, buildOpenApiDocument } from "./openapi.js";
import { DEFAULT_RATE_LIMIT, rateLimit, type RateLimitOptions } from "./rate-limit.js";
import { jsonResponse } from "./respond.js";
import { honoPath, type RouteDefinition, type RouteServices } from "./route.js";
import { ACCOUNT_ROUTES } from "./routes/account.js";
import { AUDIT_ROUTES } from "./routes/audit.js";
import { EVENT_ROUTES } from "./routes/events.js";
import { JOB_ROUTES } from "./routes/jobs.js";
import { SSH_KEY_ROUTES } from "./routes/ssh-keys.js";
import { USER_ROUTES } from "./routes/users.js";
import { WORKLOAD_ROUTES } from "./routes/workloads.js";
import { WebAssets } from "./web/assets.js";
import { registerWebRoutes } from "./web/routes.js";
import { registerTerminalRoute } from "./web/terminal.js";

/** Every route of the API, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly RouteDefinition[] = [
  ...ACCOUNT_ROUTES,
  ...WORKLOAD_ROUTES,
  ...EVENT_ROUTES,
  ...JOB_ROUTES,
  ...USER_ROUTES,
  ...AUDIT_ROUTES,
  ...SSH_KEY_ROUTES,
];

/** The largest request body accepted (64 KiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** What the HTTP app is built from. */
export interface HttpAppOptions {
  readonly core: Core;
  readonly logger?: Logger;
  readonly rateLimit?: RateLimitOptions;
  readonly bodyLimitBytes?: number;
  readonly publicUrl?: string;
  /** voxnix's version, for the OpenAPI document. */
  readonly version?: string;
  /** Milliseconds between polls of jobs started elsewhere (SSE); default 1000. */
  readonly jobPollMs?: number;
  /**
   * Milliseconds between the live view's checks of the host for state it changed by itself
   * (one batch call for all `/api/v1/events` streams together); default 15000. Changes made
   * through voxnix are pushed at once.
   */
  readonly watchPollMs?: number;
  /** How long one `/api/v1/events` stream lasts; default 10 minutes. */
  readonly watchMaxMs?: number;
  /** Mark the session cookie Secure; default: when `publicUrl` is https (the server sets it for TLS). */
  readonly secureCookies?: boolean;
  /** How long a browser terminal's shell survives a dropped connection for a reattach (ms); default 60 s (`http.terminalReattachSeconds`). */
  readonly terminalReattachMs?: number;
  /** The `ssh` line of the SSH gateway with `{name}` for the workload (when the gateway is enabled), shown by the dashboard. */
  readonly sshCommandTemplate?: string;
  /** Where the built dashboard files are (default `<package root>/dist/web`). */
  readonly webAssetsDir?: string;
}

/** The Hono app type of the API. */
export type HttpApp = Hono<{ Variables: AuthVariables }>;

async function parseBody(route: RouteDefinition, context: Context): Promise<unknown> {
  if (!route.body) return undefined;
  const text = await context.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpProblem("invalid-input", 400, "The request body is not valid JSON.", {
      issues: [{ path: "", message: "The request body is not valid JSON." }],
    });
  }
  const parsed = route.body.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  return parsed.data;
}

function parseQuery(route: RouteDefinition, context: Context): unknown {
  if (!route.query) return undefined;
  const parsed = route.query.safeParse(context.req.query());
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error, "query"));
  return parsed.data;
}

/**
 * Builds the API app over a core.
 *
 * @example
 * const app = createHttpApp({ core });
 * const response = await app.request("/api/v1/workloads", { headers: { authorization: `Bearer ${token}` } });
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const services: RouteServices = {
    core: options.core,
    jobs: new JobEvents(),
    jobPollMs: options.jobPollMs ?? 1000,
    watchPollMs: options.watchPollMs ?? 15_000,
    watchMaxMs: options.watchMaxMs ?? 600_000,
  };
  const app: HttpApp = new Hono();
  app.onError(
    createErrorHandler((error, context) =>
      options.logger?.error({ err: error, method: context.req.method, path: context.req.path }, "HTTP request failed"),
    ),
  );
  app.notFound(notFoundRoute);
  // One debug line per request: never the body, the query or the Authorization header.
  app.use("*", async function logRequest(context, next) {
    const started = performance.now();
    await next();
    options.logger?.debug(
      {
        method: context.req.method,
        path: context.req.routePath,
        status: context.res.status,
        actor: context.get("actor")?.userId,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
      "http request",
    );
  });

  const document = buildOpenApiDocument(API_ROUTES, {
    version: options.version ?? "unknown",
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  app.get(`${API_BASE}/openapi.json`, () => jsonResponse(document));

  app.use(
    `${API_BASE}/*`,
    authenticate(options.core, { publicUrl: options.publicUrl }),
    rateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT),
  );
  const maxSize = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  app.use(
    `${API_BASE}/*`,
    bodyLimit({
      maxSize,
      onError: () =>
        errorResponse(
          new HttpProblem("too-large", 413, `The request body is larger than ${Math.round(maxSize / 1024)} KiB.`),
        ),
    }),
  );

  for (const route of API_ROUTES) {
    app.on(route.method.toUpperCase(), `${API_BASE}${honoPath(route.path)}`, async (context) => {
      const query = parseQuery(route, context);
      const body = await parseBody(route, context);
      const request = {
        actor: context.get("actor"),
        params: context.req.param() as Record<string, string>,
        body,
        query,
        context,
      };
      return route.handle(request as never, services);
    });
  }

  registerWebRoutes(app, {
    core: options.core,
    assets: new WebAssets(options.webAssetsDir),
    publicUrl: options.publicUrl,
    secureCookies: options.secureCookies ?? options.publicUrl?.startsWith("https://") ?? false,
    ...(options.sshCommandTemplate ? { sshCommandTemplate: options.sshCommandTemplate } : {}),
  });
  registerTerminalRoute(app, {
    core: options.core,
    upgradeWebSocket: upgradeWebSocket as never,
    publicUrl: options.publicUrl,
    reattachMs: options.terminalReattachMs ?? 60_000,
  });
  return app;
}
