/**
 * The one map from failure to HTTP response: the core's closed error union by `kind`, plus the
 * few failures only HTTP has (no or bad token, too many requests, body too large, malformed
 * JSON, unknown route). Every error body has the shape of the CLI's `--json` error output:
 * `{"ok":false,"error":{"kind","message",…}}` (docs/cli.md, docs/http.md).
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { VoxnixError, type VoxnixErrorKind } from "../../domain/errors.js";
import { jsonResponse } from "./respond.js";

/** HTTP status for each core error kind. `needs-confirmation` is 409: nothing happened yet (docs/http.md). */
export const STATUS_BY_KIND = {
  "invalid-input": 422,
  "not-found": 404,
  conflict: 409,
  quota: 409,
  forbidden: 403,
  "host-failure": 502,
  timeout: 504,
} as const satisfies Record<VoxnixErrorKind, ContentfulStatusCode>;

/** Error kinds only the HTTP adapter produces. */
export type HttpOnlyErrorKind = "unauthorized" | "rate-limited" | "too-large" | "internal";

/** Every kind an HTTP error body can carry. */
export type HttpErrorKind = VoxnixErrorKind | HttpOnlyErrorKind;

/** A failure of the request itself (not of a core operation), with its status and optional headers. */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  constructor(
    readonly kind: HttpErrorKind,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The `error` member of the body: the CLI's `--json` error shape (host `detail` is never sent over HTTP). */
export function errorBody(error: unknown): {
  readonly status: ContentfulStatusCode;
  readonly error: Record<string, unknown>;
  readonly headers: Record<string, string>;
} {
  if (error instanceof HttpProblem) {
    return {
      status: error.status,
      error: { kind: error.kind, message: error.message, ...error.extra },
      headers: { ...error.headers },
    };
  }
  // Hono's own middleware (the CSRF origin check on /web forms) refuses with HTTPException.
  if (error instanceof HTTPException && error.status === 403) {
    return {
      status: 403,
      error: {
        kind: "forbidden",
        message: "Cross-site request refused: this form did not come from the voxnix dashboard.",
      },
      headers: {},
    };
  }
  if (VoxnixError.isInstance(error)) {
    const shape: Record<string, unknown> = { kind: error.kind, message: error.message };
    if (error.kind === "invalid-input") shape.issues = error.issues;
    return { status: STATUS_BY_KIND[error.kind], error: shape, headers: {} };
  }
  return {
    status: 500,
    error: {
      kind: "internal",
      message: "Something went wrong inside voxnix; the administrator can find the details in the logs.",
    },
    headers: {},
  };
}

/** Renders any failure as the JSON error response. */
export function errorResponse(error: unknown): Response {
  const { status, error: body, headers } = errorBody(error);
  return jsonResponse({ ok: false, error: body }, status, headers);
}

/** `app.onError`: logs unexpected failures (never the request body) and answers with the mapped error. */
export function createErrorHandler(
  log: (error: unknown, context: Context) => void,
): (error: Error, context: Context) => Response {
  return function onError(error, context) {
    if (
      !(error instanceof HttpProblem) &&
      !VoxnixError.isInstance(error) &&
      !(error instanceof HTTPException && error.status === 403)
    )
      log(error, context);
    return errorResponse(error);
  };
}

/** `app.notFound`: an unknown route is a 404 in the same JSON shape. */
export function notFoundRoute(context: Context): Response {
  return errorResponse(
    new HttpProblem(
      "not-found",
      404,
      `There is no route ${context.req.method} ${new URL(context.req.url).pathname}; see /api/v1/openapi.json.`,
    ),
  );
}
