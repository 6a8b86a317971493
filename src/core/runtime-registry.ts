/**
 * The registry the composition root builds from the configured runtimes, and the core's two
 * ways to use it: the runtime for a new spec (refused plainly when no runtime runs that kind)
 * and the runtime for a stored workload (a host failure when its runtime was removed from
 * the configuration: the workload still exists somewhere and must not be treated as gone).
 *
 * @module
 */
import { HostFailureError, InvalidInputError } from "../domain/errors.js";
import type { WorkloadKind } from "../domain/spec.js";
import type { Runtime } from "../ports/runtime.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";

/**
 * A registry over `runtimes`. `defaults` names the runtime new workloads of each kind go to;
 * without one, the first runtime of that kind is used.
 */
export function createRuntimeRegistry(
  runtimes: readonly Runtime[],
  defaults: Partial<Record<WorkloadKind, string>> = {},
): RuntimeRegistry {
  const byName = new Map<string, Runtime>();
  for (const runtime of runtimes) {
    const name = runtime.info().name;
    if (byName.has(name)) throw new Error(`Two runtimes are both called "${name}".`);
    byName.set(name, runtime);
  }
  const forKind = (kind: WorkloadKind): Runtime | undefined => {
    const named = defaults[kind];
    if (named !== undefined) {
      const runtime = byName.get(named);
      return runtime?.info().kind === kind ? runtime : undefined;
    }
    return runtimes.find((runtime) => runtime.info().kind === kind);
  };
  return { forKind, byName: (name) => byName.get(name), all: () => runtimes };
}

/** The runtime a new workload of `kind` goes to; refuses the request when none is configured. */
export function runtimeForKind(registry: RuntimeRegistry, kind: WorkloadKind): Runtime {
  const runtime = registry.forKind(kind);
  if (runtime) return runtime;
  throw new InvalidInputError([
    {
      path: "kind",
      message: `This appliance runs no ${kind === "vm" ? "VMs" : "containers"}; ask the administrator to configure a ${kind} runtime.`,
    },
  ]);
}

/** The runtime that runs a stored workload. */
export function runtimeForWorkload(
  registry: RuntimeRegistry,
  workload: { readonly name: string; readonly backend: string },
): Runtime {
  const runtime = registry.byName(workload.backend);
  if (runtime) return runtime;
  throw new HostFailureError(
    `"${workload.name}" runs on the ${workload.backend} runtime, which this appliance no longer has configured.`,
    `Workload ${workload.name} records runtime "${workload.backend}"; configured: ${
      registry
        .all()
        .map((runtime) => runtime.info().name)
        .join(", ") || "none"
    }.`,
  );
}

/** Catalog modules any runtime of `kind` can realise. */
export function modulesForKind(registry: RuntimeRegistry, kind: WorkloadKind): ReadonlySet<string> {
  const runtime = registry.forKind(kind);
  return runtime ? runtime.info().modules : new Set();
}
