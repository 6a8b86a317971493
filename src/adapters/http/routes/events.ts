/**
 * `GET /api/v1/events`: your workloads' live state as Server-Sent Events, for the dashboard.
 * It sends `workloads` (the `list` result) at once and again whenever it changes. The stream
 * is the core's `watch`: audited once when it opens, then pushed by the core's watcher when
 * an operation changes something, when another process writes the database, or when the
 * host's own state drifts (one batch host call per `watchPollMs` for all streams together;
 * docs/web.md). A comment line every 25 s keeps proxies from closing an idle stream, and a
 * stream ends after 10 minutes (browsers reconnect by themselves), so none lives forever.
 *
 * @module
 */
import type { ListResult } from "../../../core/api.js";
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
    summary:
      "Your workloads' live state as Server-Sent Events: `workloads` now and on every change; `access-ended` (then the stream ends) when your access is turned off",
    operation: "watch",
    query: emptyQuery,
    responses: {
      200: {
        description:
          "text/event-stream; each `workloads` event's data is a ListResult; a last `access-ended` event when the account is denied or removed",
        eventStream: true,
      },
    },
    handle: async ({ actor, context }, { core, watchPollMs, watchMaxMs }) => {
      // Opened (and audited) before the stream starts, so a refused caller gets a plain error answer.
      const watch = await core.watch(actor, { pollMs: watchPollMs });
      return streamSSE(context, async (stream) => {
        const queue: ListResult[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = watch.onChange((result) => {
          queue.push(result);
          wake?.();
        });
        let ended = false;
        let accessEnded = false;
        void watch.ended.then(({ reason }) => {
          ended = true;
          accessEnded = reason === "access-ended";
          wake?.();
        });
        const deadline = setTimeout(() => {
          ended = true;
          wake?.();
        }, watchMaxMs);
        stream.onAbort(() => {
          ended = true;
          wake?.();
        });
        try {
          await stream.writeSSE({ event: "workloads", data: toJson(watch.current) });
          while (!ended && !stream.aborted && !stream.closed) {
            if (queue.length === 0) {
              const keepAlive = new Promise<"keep-alive">((resolve) => {
                const timer = setTimeout(() => resolve("keep-alive"), KEEPALIVE_MS);
                wake = () => {
                  clearTimeout(timer);
                  resolve("keep-alive");
                };
              });
              const before = queue.length;
              await keepAlive;
              wake = undefined;
              if (queue.length === before && !ended) await stream.write(": keep-alive\n\n");
              continue;
            }
            // Only the latest list matters.
            const latest = queue.splice(0).pop()!;
            await stream.writeSSE({ event: "workloads", data: toJson(latest) });
          }
          // Said before closing, so the page can tell the person instead of quietly reconnecting into a 403.
          if (accessEnded && !stream.aborted && !stream.closed)
            await stream.writeSSE({
              event: "access-ended",
              data: toJson({ message: "An administrator has turned off your access." }),
            });
        } finally {
          clearTimeout(deadline);
          unsubscribe();
          watch.close();
        }
      });
    },
  }),
];
