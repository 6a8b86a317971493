/**
 * `list`: the actor's workloads (all of them for admins, plus unmanaged host containers),
 * joined with ONE batch call per runtime.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ListResult } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toWorkloadView } from "../views.js";
import { listLive } from "../live.js";

/** Lists workloads visible to the actor. */
export function listWorkloads(services: CoreServices, actor: Actor): Promise<ListResult> {
  const { context } = services;
  return runOperation(services, {
    operation: "list",
    actor,
    validate: () => undefined,
    run: async ({ user }) => {
      const isAdmin = user.role === "admin";
      const records = isAdmin ? context.repos.workloads.listAll() : context.repos.workloads.listByOwner(user.id);
      const live = await listLive(context.deps.runtimes);
      const workloads = records.map((record) => toWorkloadView(record, live.get(record.name)));
      if (!isAdmin) return { workloads };
      const known = new Set(records.map((record) => record.name));
      const unmanaged = [...live.values()]
        .filter((container) => !known.has(container.name))
        .map((container) => ({ name: container.name, state: container.state }));
      return { workloads, unmanaged };
    },
  });
}
