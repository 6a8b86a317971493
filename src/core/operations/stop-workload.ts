/**
 * `stop`: clean poweroff, and record that the owner wants it stopped.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { WorkloadView } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { currentView, requireReady, requireWorkload } from "../workload-access.js";

/** Stops the actor's workload `name`; stopping a stopped workload succeeds. */
export function stopWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  const { context } = services;
  return runOperation(services, {
    operation: "stop",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async (scope) => {
      const record = requireWorkload(context, scope);
      requireReady(record);
      await context.deps.backend.stop(record.spec.name, { onProgress: () => undefined });
      context.repos.workloads.update(record.name, { desired: "stopped" }, context.deps.clock.now());
      return currentView(context, record.name);
    },
  });
}
