/**
 * `destroy`, step one: never destroys. Answers with the plan (what disappears, what is kept)
 * and a single-use token for this actor and this plan; `confirm` carries it out. The dry run
 * shows the same plan without issuing a token.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { NeedsConfirmation, Planned } from "../api.js";
import { buildDestroyPlan, issueToken } from "../confirmations.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Plans the destroy of `name` and answers with the confirmation it needs. */
export function destroyWorkload(services: CoreServices, actor: Actor, name: string): Promise<NeedsConfirmation> {
  const { context } = services;
  return runOperation(services, {
    operation: "destroy",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async ({ user, workload }) => {
      const record = workload!;
      const plan = buildDestroyPlan(context, record);
      const { token, expiresAt } = issueToken(context, user.id, record, plan);
      return { type: "needs-confirmation", plan, token, expiresAt };
    },
  });
}

/** The dry run of `destroy`: the plan, no token. */
export function planDestroy(services: CoreServices, actor: Actor, name: string): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "destroy",
    actor,
    args: { name },
    dryRun: true,
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async ({ workload }) => {
      const destroy = buildDestroyPlan(context, workload!);
      return {
        type: "planned",
        plan: {
          operation: "destroy",
          workload: destroy.workload,
          destroy,
          steps: [...destroy.removes.map((item) => `remove ${item}`), ...destroy.keeps.map((item) => `keep ${item}`)],
        },
      };
    },
  });
}
