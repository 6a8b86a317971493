/**
 * The OpenAPI 3.1 document of the API, generated from the route declarations and their zod
 * schemas (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Served
 * without a token at `/api/v1/openapi.json`.
 *
 * @module
 */
import { z } from "zod";
import type { RouteDefinition } from "./route.js";
import { errorResponse } from "./schemas.js";

/** The prefix every route lives under. */
export const API_BASE = "/api/v1";

/** Options of the document. */
export interface OpenApiOptions {
  readonly version: string;
  /** Where people reach the API (`http.publicUrl`). */
  readonly publicUrl?: string;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

function parameters(route: RouteDefinition): Record<string, unknown>[] {
  const inPath = [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = route.query ? jsonSchema(route.query, "input") : undefined;
  const properties = (query?.properties ?? {}) as Record<string, unknown>;
  const required = new Set((query?.required ?? []) as string[]);
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function operationId(route: RouteDefinition): string {
  const words = `${route.method} ${route.path}`
    .replace(/[{}]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((word, index) => (index === 0 ? word : `${word[0]!.toUpperCase()}${word.slice(1)}`)).join("");
}

/** Builds the document for `routes`. */
export function buildOpenApiDocument(
  routes: readonly RouteDefinition[],
  options: OpenApiOptions,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: jsonSchema(errorResponse, "output") } },
  });
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const content = response.eventStream
        ? { "text/event-stream": { schema: { type: "string" } } }
        : response.schema
          ? { "application/json": { schema: jsonSchema(response.schema, "output") } }
          : undefined;
      responses[status] = { description: response.description, ...(content ? { content } : {}) };
    }
    responses["401"] ??= error("No API token, or an unknown or revoked one");
    responses["429"] ??= error("Too many requests; see Retry-After");
    if (route.body) {
      responses["400"] ??= error("The body is not valid JSON");
      responses["413"] ??= error("The body is larger than 64 KiB");
      responses["422"] ??= error("The body does not match the schema");
    }
    const path = `${API_BASE}${route.path}`;
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: operationId(route),
      summary: route.summary,
      "x-voxnix-operation": route.operation,
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.body, "input") } },
            },
          }
        : {}),
      responses,
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "voxnix HTTP API",
      version: options.version,
      description: "Dev containers for you and your people. See docs/http.md.",
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token from `voxnix users token create` (vx_…)" },
      },
    },
  };
}
