/**
 * JSON responses for the HTTP API: one line of JSON, dates as ISO strings, sets as arrays and
 * maps as objects (like the CLI's `--json`), in the envelope `{"ok":true,"result":…}`.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Serialises a value the way the CLI's `--json` does. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Set) return [...(item as Set<unknown>)];
    if (item instanceof Map) return Object.fromEntries(item as Map<string, unknown>);
    if (typeof item === "bigint") return item.toString();
    return item;
  });
}

/** A JSON response with `body` as is. */
export function jsonResponse(
  body: unknown,
  status: ContentfulStatusCode = 200,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(toJson(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** The success envelope around an operation's result. */
export function okResponse(result: unknown, status: ContentfulStatusCode = 200): Response {
  return jsonResponse({ ok: true, result }, status);
}
