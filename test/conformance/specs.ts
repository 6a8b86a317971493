/**
 * Specs the conformance suites hand to runtimes, shaped as the core hands them over
 * (validated, defaults filled in).
 *
 * @module
 */
import type { WorkloadName } from "../../src/domain/names.js";
import type { ContainerSpec } from "../../src/domain/spec.js";

/** A validated container spec: no modules, no workspace, small limits. */
export function containerSpec(name: string): ContainerSpec {
  return {
    kind: "container",
    name: name as WorkloadName,
    modules: [],
    moduleOptions: {},
    workspace: { enabled: false },
    resources: { cpus: 1, memoryBytes: 512 * 1024 ** 2, pids: 512 },
    remoteAccess: false,
  };
}
