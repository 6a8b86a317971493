/**
 * `stop`: clean poweroff, and record that the owner wants it stopped.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { ImportedVmDetails, Planned, WorkloadView } from "../api.js";
import {
  planLifecycleChange,
  runLifecycleChange,
  type LifecycleChange,
  type LifecycleReason,
} from "../lifecycle-operation.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import type { CoreServices } from "../services.js";

function stopChange(services: CoreServices): LifecycleChange {
  const { runtimes } = services.context.deps;
  return {
    operation: "stop",
    importedPower: "stop",
    desired: "stopped",
    apply: (record) => runtimeForWorkload(runtimes, record).stop(record.spec.name, { onProgress: () => undefined }),
    describe: (record) => [
      `power off ${record.name} cleanly (killed if it does not stop in time)`,
      `remember that ${record.name} should stay stopped`,
    ],
  };
}

/** Stops the actor's workload `name`; stopping a stopped workload succeeds. `reason` "idle" marks the inactivity timer's stop. */
export function stopWorkload(
  services: CoreServices,
  actor: Actor,
  name: string,
  reason?: LifecycleReason,
): Promise<WorkloadView | ImportedVmDetails> {
  return runLifecycleChange(services, actor, name, stopChange(services), reason);
}

/** The dry run of `stop`. */
export function planStop(services: CoreServices, actor: Actor, name: string): Promise<Planned> {
  return planLifecycleChange(services, actor, name, stopChange(services));
}
