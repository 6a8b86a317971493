/**
 * `restart`: stop, then start (mounting the workspace again); the owner wants it running.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { Planned, WorkloadView } from "../api.js";
import type { CoreContext } from "../context.js";
import { planLifecycleChange, runLifecycleChange, type LifecycleChange } from "../lifecycle-operation.js";
import type { CoreServices } from "../services.js";
import { startContainer } from "./start-workload.js";
import { runtimeForWorkload } from "../runtime-registry.js";

function restartChange(context: CoreContext): LifecycleChange {
  return {
    operation: "restart",
    desired: "running",
    apply: async (record) => {
      await runtimeForWorkload(context.deps.runtimes, record).stop(record.spec.name, { onProgress: () => undefined });
      await startContainer(context, record);
    },
    describe: (record) => [
      `power off ${record.name} cleanly`,
      ...(record.spec.workspace.enabled ? [`mount its workspace again`] : []),
      `start ${record.name} again`,
    ],
  };
}

/** Restarts the actor's workload `name`. */
export function restartWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  // No importedPower: an imported VM is refused before anything runs, so the answer is a workload's view.
  return runLifecycleChange(services, actor, name, restartChange(services.context)) as Promise<WorkloadView>;
}

/** The dry run of `restart`. */
export function planRestart(services: CoreServices, actor: Actor, name: string): Promise<Planned> {
  return planLifecycleChange(services, actor, name, restartChange(services.context));
}
