/**
 * `whoami`: the caller's user record. The one operation pending users may call.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { UserView } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { toUserView } from "../views.js";

/** Returns the actor's own user view (registering them on first contact). */
export function whoAmI(services: CoreServices, actor: Actor): Promise<UserView> {
  const { context } = services;
  return runOperation(services, {
    operation: "whoami",
    actor,
    validate: () => undefined,
    run: async ({ user }) => toUserView(user, context.repos.workloads.usage(user.id).count),
  });
}
