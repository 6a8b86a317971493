/**
 * The runtime registry: how the core finds the runtime for a workload. A new spec goes to
 * the runtime configured for its kind; a stored workload goes to the runtime recorded on it
 * when it was created, so changing the default later never strands existing workloads.
 *
 * @module
 */
import type { WorkloadKind } from "../domain/spec.js";
import type { Runtime } from "./runtime.js";

export interface RuntimeRegistry {
  /** The runtime new workloads of `kind` go to, or undefined when none is configured. */
  forKind(kind: WorkloadKind): Runtime | undefined;
  /** The runtime recorded on a stored workload, or undefined when it is no longer configured. */
  byName(name: string): Runtime | undefined;
  /** Every configured runtime, each once (listing, doctor and image builds visit them all). */
  all(): readonly Runtime[];
}
