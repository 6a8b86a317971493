/**
 * Live state from every runtime, one batch call each: listing, reconcile and deny never ask
 * the host once per workload.
 *
 * @module
 */
import type { LiveContainer } from "../ports/runtime.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";

/** Everything every runtime reports, by name. A runtime that fails to answer fails the call. */
export async function listLive(registry: RuntimeRegistry): Promise<Map<string, LiveContainer>> {
  const batches = await Promise.all(registry.all().map((runtime) => runtime.list()));
  return new Map(batches.flat().map((entry) => [entry.name, entry]));
}
