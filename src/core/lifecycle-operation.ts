/**
 * The shared shape of start, stop and restart: validate the name, lock the actor's ready
 * workload, change it on the host, record what the owner now wants, return the live view.
 *
 * @module
 */
import type { Actor } from "../domain/identity.js";
import type { WorkloadRecord } from "../state/workloads-repository.js";
import type { WorkloadView } from "./api.js";
import { validateName } from "./inputs.js";
import { runOperation } from "./run-operation.js";
import type { CoreServices } from "./services.js";
import { currentView, requireReady, requireWorkload } from "./workload-access.js";

/** One lifecycle change and the state the owner wants afterwards. */
export interface LifecycleChange {
  readonly operation: "start" | "stop" | "restart";
  readonly desired: "running" | "stopped";
  readonly apply: (record: WorkloadRecord) => Promise<void>;
}

/** Runs `change` on the actor's workload `name` through the usual validation, policy, lock and audit. */
export function runLifecycleChange(services: CoreServices, actor: Actor, name: string, change: LifecycleChange): Promise<WorkloadView> {
  const { context } = services;
  return runOperation(services, {
    operation: change.operation,
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async (scope) => {
      const record = requireWorkload(context, scope);
      requireReady(record);
      await change.apply(record);
      context.repos.workloads.update(record.name, { desired: change.desired }, context.deps.clock.now());
      return currentView(context, record.name);
    },
  });
}
