/**
 * `destroy`, step one: never destroys. Builds the plan (what disappears, what is kept) and
 * throws `NeedsConfirmationError` with a single-use token for this actor and this plan.
 *
 * @module
 */
import { NeedsConfirmationError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { buildDestroyPlan, issueToken } from "../confirmations.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { requireWorkload } from "../workload-access.js";
import { ConflictError } from "../../domain/errors.js";

/** Plans the destroy of `name` and throws the confirmation request. */
export function destroyWorkload(services: CoreServices, actor: Actor, name: string): Promise<never> {
  const { context } = services;
  return runOperation<string, never>(services, {
    operation: "destroy",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async (scope) => {
      const record = requireWorkload(context, scope);
      if (record.status === "creating" || record.status === "destroying") {
        throw new ConflictError("wrong-state", `"${record.name}" is ${record.status === "creating" ? "still being created" : "already being destroyed"}.`);
      }
      const plan = buildDestroyPlan(context, record);
      const { token, expiresAt } = issueToken(context, scope.user.id, record, plan);
      throw new NeedsConfirmationError(plan, token, expiresAt);
    },
  });
}
