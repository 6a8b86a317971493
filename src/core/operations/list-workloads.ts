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
import { idleNotice } from "../idle-timers.js";
import { assignedImports, visibleList } from "../views.js";
import { listLive } from "../live.js";

/** Lists workloads visible to the actor. */
export function listWorkloads(services: CoreServices, actor: Actor): Promise<ListResult> {
  const { context } = services;
  return runOperation(services, {
    operation: "list",
    actor,
    validate: () => undefined,
    run: async ({ user }) => {
      const records =
        user.role === "admin" ? context.repos.workloads.listAll() : context.repos.workloads.listByOwner(user.id);
      return visibleList(
        user,
        records,
        await listLive(context.deps.runtimes),
        (record) => idleNotice(context, record),
        assignedImports(context, user),
      );
    },
  });
}
