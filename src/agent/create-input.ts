/**
 * One create request, as either engine understood it, turned into the core's create input and
 * the reply that says it started. The kind is passed on only when the person named one: a
 * request that names none is left open, so the core gives the person's default kind (VMs for
 * people an admin trusts less). A VM takes no modules: asking for some is answered, not dropped.
 *
 * @module
 */
import type { ContainerSpecInput, WorkloadKind } from "../domain/spec.js";
import type { VmSpecInput } from "../domain/vm-spec.js";
import { InvalidInputError } from "../domain/errors.js";
import * as replies from "./replies.js";
import { describeVmCreateStarted } from "./intents/vm.js";

/** What a create asked for, from the offline parser or the model's tool call. */
export interface ChatCreate {
  readonly name: string;
  readonly kind?: WorkloadKind;
  readonly modules: readonly string[];
  readonly cpus?: number;
  readonly memory?: string;
  /** VMs: the root disk size. */
  readonly disk?: string;
  /** False when the person asked for no workspace (containers). */
  readonly workspace?: boolean;
  readonly workspaceSize?: string;
  /** The workload's own idle timeout ("2h", "off"), passed to the core beside the spec. */
  readonly idleTimeout?: string;
}

/** The core input for `request`; throws `InvalidInputError` for modules on a VM. */
export function createInput(request: ChatCreate): ContainerSpecInput | VmSpecInput {
  if (request.kind === "vm") {
    if (request.modules.length > 0) {
      throw new InvalidInputError([
        {
          path: "modules",
          message: `VMs take no modules yet (asked for ${request.modules.join(", ")}): create the VM and install what you need inside it, or ask for a container with those modules. Nothing was created.`,
        },
      ]);
    }
    return {
      kind: "vm",
      name: request.name,
      ...(request.cpus !== undefined ? { cpus: request.cpus } : {}),
      ...(request.memory !== undefined ? { memory: request.memory } : {}),
      ...(request.disk !== undefined ? { disk: request.disk } : {}),
      ...(request.workspaceSize !== undefined ? { workspace: request.workspaceSize } : {}),
    };
  }
  // A container's workspace size: "a 10G workspace", or "a 10G disk" (a container has no other disk).
  const workspaceSize = request.workspaceSize ?? request.disk;
  return {
    ...(request.kind === "container" ? { kind: "container" as const } : {}),
    name: request.name,
    modules: [...request.modules],
    resources: {
      ...(request.cpus !== undefined ? { cpus: request.cpus } : {}),
      ...(request.memory !== undefined ? { memory: request.memory } : {}),
    },
    workspace: { enabled: request.workspace ?? true, ...(workspaceSize !== undefined ? { size: workspaceSize } : {}) },
  };
}

/** The turn's record of the create (what the audit of the chat shows). */
export function createRecord(request: ChatCreate): Record<string, unknown> {
  return {
    name: request.name,
    ...(request.kind !== undefined ? { kind: request.kind } : {}),
    modules: [...request.modules],
    ...(request.cpus !== undefined ? { cpus: request.cpus } : {}),
    ...(request.memory !== undefined ? { memory: request.memory } : {}),
    ...(request.disk !== undefined ? { disk: request.disk } : {}),
    ...(request.workspace === false ? { workspace: false } : {}),
    ...(request.idleTimeout !== undefined ? { idleTimeout: request.idleTimeout } : {}),
  };
}

/** The core's create options for `request` (its idle timeout). */
export function createOptions(request: ChatCreate): { idleTimeout?: string } {
  return request.idleTimeout === undefined ? {} : { idleTimeout: request.idleTimeout };
}

/** The reply once the create job started; `kind` is what the core made it. */
export function describeStarted(request: ChatCreate, kind: WorkloadKind | undefined): string {
  const started =
    kind === "vm"
      ? describeVmCreateStarted(request.name, request)
      : replies.describeCreateStarted(request.name, request.modules);
  if (request.idleTimeout === undefined) return started;
  const idle =
    request.idleTimeout === "off"
      ? `${request.name} is never stopped for idleness.`
      : `${request.name} stops after ${request.idleTimeout} without activity (you are warned first).`;
  return `${started}\n${idle}`;
}
