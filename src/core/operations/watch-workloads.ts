/**
 * `watch`: the actor's workload list now and on every change, for the dashboard's live view
 * (`GET /api/v1/events`). Opening it is one audited read (like `list`); the updates the
 * watcher pushes afterwards are not audited (see `core/watch.ts` and docs/web.md).
 *
 * @module
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import type { WatchRequest, WorkloadWatch } from "../api.js";
import { listLive } from "../live.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { idleNotice } from "../idle-timers.js";
import { assignedImports, visibleList } from "../views.js";
import { DEFAULT_WATCH_POLL_MS } from "../watch.js";

/** Opens a live list subscription for the actor. */
export function watchWorkloads(
  services: CoreServices,
  actor: Actor,
  request: WatchRequest = {},
): Promise<WorkloadWatch> {
  const { context } = services;
  return runOperation(services, {
    operation: "watch",
    actor,
    validate: () => {
      const pollMs = request?.pollMs ?? DEFAULT_WATCH_POLL_MS;
      if (!Number.isInteger(pollMs) || pollMs < 100 || pollMs > 3_600_000)
        throw new InvalidInputError([
          { path: "pollMs", message: "pollMs must be a whole number from 100 to 3600000." },
        ]);
      return { pollMs };
    },
    run: async ({ user, input }) => {
      const records =
        user.role === "admin" ? context.repos.workloads.listAll() : context.repos.workloads.listByOwner(user.id);
      const current = visibleList(
        user,
        records,
        await listLive(context.deps.runtimes),
        (record) => idleNotice(context, record),
        assignedImports(context, user),
      );
      const listeners = new Set<(result: import("../api.js").ListResult) => void>();
      let resolveEnded: (value: { readonly reason: "closed" | "access-ended" }) => void = () => undefined;
      const ended = new Promise<{ readonly reason: "closed" | "access-ended" }>((resolve) => (resolveEnded = resolve));
      const unsubscribe = services.watcher.subscribe(
        user.id,
        current,
        input.pollMs,
        (result) => {
          for (const listener of listeners) listener(result);
        },
        (reason) => resolveEnded({ reason }),
      );
      return {
        current,
        onChange: (listener) => {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
        ended,
        close: () => {
          unsubscribe();
          resolveEnded({ reason: "closed" });
        },
      };
    },
  });
}
