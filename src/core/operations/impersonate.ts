/**
 * `impersonate` (admins): an admin is about to act as another user (the CLI's `--as X`).
 * The user is registered on first contact like any other; a pending user is approved by the
 * admin first, because an admin acting as someone vouches for them (the approval names the
 * admin). A denied user stays denied, so whatever the admin then does as them is refused
 * exactly as it would be for them. This rule lives here, not in each adapter that offers
 * impersonation.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { Impersonation } from "../api.js";
import { validateUserId } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { resolveUser } from "../users.js";
import { toUserView } from "../views.js";

/** Prepares `userId` for `actor` (an admin) to act as them. */
export function impersonate(services: CoreServices, actor: Actor, userId: string): Promise<Impersonation> {
  const { context } = services;
  return runOperation(services, {
    operation: "impersonate",
    actor,
    args: { userId },
    validate: () => validateUserId(userId),
    target: () => undefined,
    run: async ({ user: admin, input: id }) => {
      const target = resolveUser(context, { userId: id });
      const approved = target.status === "pending";
      if (approved) context.repos.users.update(id, { status: "active", approvedBy: admin.id });
      const view = toUserView(
        approved ? { ...target, status: "active" } : target,
        context.repos.workloads.usage(id).count,
      );
      return { user: view, approved };
    },
  });
}
