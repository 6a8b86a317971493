/**
 * `listAdmins`: the ids of the active administrators, so an adapter can ask them to approve
 * a newcomer. Pending users may call it (it is how their request reaches someone); it
 * returns ids only, which adapters use to deliver a message and never show.
 *
 * @module
 */
import type { Actor, UserId } from "../../domain/identity.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Ids of every active admin. */
export function listAdmins(services: CoreServices, actor: Actor): Promise<readonly UserId[]> {
  const { context } = services;
  return runOperation(services, {
    operation: "listAdmins",
    actor,
    validate: () => undefined,
    run: async () =>
      context.repos.users
        .list()
        .filter((user) => user.role === "admin" && user.status === "active")
        .map((user) => user.id),
  });
}
