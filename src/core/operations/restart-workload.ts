/**
 * `restart`: stop, then start (mounting the workspace again); the owner wants it running.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { WorkloadView } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { startContainer } from "./start-workload.js";
import { currentView, requireReady, requireWorkload } from "../workload-access.js";

/** Restarts the actor's workload `name`. */
export function restartWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  const { context } = services;
  return runOperation(services, {
    operation: "restart",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async (scope) => {
      const record = requireWorkload(context, scope);
      requireReady(record);
      await context.deps.backend.stop(record.spec.name, { onProgress: () => undefined });
      await startContainer(context, record);
      context.repos.workloads.update(record.name, { desired: "running" }, context.deps.clock.now());
      return currentView(context, record.name);
    },
  });
}
