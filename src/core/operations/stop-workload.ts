/**
 * `stop`: clean poweroff, and record that the owner wants it stopped.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { WorkloadView } from "../api.js";
import { runLifecycleChange } from "../lifecycle-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForWorkload } from "../runtime-registry.js";

/** Stops the actor's workload `name`; stopping a stopped workload succeeds. */
export function stopWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  const { runtimes } = services.context.deps;
  return runLifecycleChange(services, actor, name, {
    operation: "stop",
    desired: "stopped",
    apply: (record) => runtimeForWorkload(runtimes, record).stop(record.spec.name, { onProgress: () => undefined }),
  });
}
