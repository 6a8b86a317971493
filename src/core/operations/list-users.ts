/**
 * `listUsers` (admins): every known user with their workload count.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { UserView } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toUserView } from "../views.js";

/** Lists all users. */
export function listUsers(services: CoreServices, actor: Actor): Promise<readonly UserView[]> {
  const { context } = services;
  return runOperation(services, {
    operation: "listUsers",
    actor,
    validate: () => undefined,
    run: async () => {
      const counts = context.repos.workloads.countByOwner();
      return context.repos.users.list().map((user) => toUserView(user, counts.get(user.id) ?? 0));
    },
  });
}
