/**
 * `restart`: stop, then start (mounting the workspace again); the owner wants it running.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { WorkloadView } from "../api.js";
import { runLifecycleChange } from "../lifecycle-operation.js";
import type { CoreServices } from "../services.js";
import { startContainer } from "./start-workload.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** Restarts the actor's workload `name`. */
export function restartWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  const { context } = services;
  return runLifecycleChange(services, actor, name, {
    operation: "restart",
    desired: "running",
    apply: async (record) => {
      await runtimeForWorkload(context.deps.runtimes, record).stop(record.spec.name, { onProgress: () => undefined });
      await startContainer(context, record);
    },
  });
}
