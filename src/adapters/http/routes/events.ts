/**
 * `GET /api/v1/events`: your workloads' live state as Server-Sent Events, for the dashboard.
 * It sends `workloads` (the `list` result) at once and again whenever it changes. There is no
 * change feed from the host, so the server asks for the list every few seconds while someone
 * listens (one batch call to the host, audited like any read; docs/web.md), and only changes
 * go over the wire. A comment line every 25 s keeps proxies from closing an idle stream, and a
 * stream ends after 10 minutes (browsers reconnect by themselves), so none lives forever.
 *
 * @module
 */
import { streamSSE } from "hono/streaming";
import { toJson } from "../respond.js";
import { defineRoute, type RouteDefinition } from "../route.js";
import { emptyQuery } from "../schemas.js";

const KEEPALIVE_MS = 25_000;

/** The event stream routes. */
export const EVENT_ROUTES: readonly RouteDefinition[] = [
  defineRoute({
    method: "get",
    path: "/events",
    summary: "Your workloads' live state as Server-Sent Events: `workloads` now and on every change",
    operation: "list",
    query: emptyQuery,
    responses: { 200: { description: "text/event-stream; each `workloads` event's data is a ListResult", eventStream: true } },
    handle: async ({ actor, context }, { core, watchPollMs, watchMaxMs }) => {
      // Checked before the stream starts, so a refused caller gets a plain error answer.
      const first = toJson(await core.list(actor));
      return streamSSE(context, async (stream) => {
        let last = first;
        let quietMs = 0;
        let elapsedMs = 0;
        await stream.writeSSE({ event: "workloads", data: last });
        while (!stream.aborted && !stream.closed && elapsedMs < watchMaxMs) {
          elapsedMs += watchPollMs;
          await stream.sleep(watchPollMs);
          if (stream.aborted || stream.closed) break;
          let next: string;
          try {
            next = toJson(await core.list(actor));
          } catch {
            // Access ended (denied) or the host failed: end the stream; the dashboard reconnects and shows the error.
            break;
          }
          quietMs += watchPollMs;
          if (next !== last) {
            last = next;
            quietMs = 0;
            await stream.writeSSE({ event: "workloads", data: next });
          } else if (quietMs >= KEEPALIVE_MS) {
            quietMs = 0;
            await stream.write(": keep-alive\n\n");
          }
        }
      });
    },
  }),
];
