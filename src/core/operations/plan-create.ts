/**
 * `create --dry-run`: the same validation and admission as `create`, then the backend's plan.
 * Writes no rows and touches no storage. Audited as a `create` request with `dryRun`. Only
 * admins see the backend's files and host commands (host paths); owners see the spec.
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { VmSpecInput } from "../../domain/vm-spec.js";
import type { CreatePlan, Planned } from "../api.js";
import { checkNameFree, checkQuotas, checkVmDiskQuota, validateSpec } from "../admission.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForKind } from "../runtime-registry.js";
import { decideKind } from "../workload-kind.js";
import { checkWithinMaximum, describeOwnTimeout, parseOwnTimeout } from "./set-idle-timeout.js";

/** Validates and admits `input`, returning what a create would do. */
export function planCreate(
  services: CoreServices,
  actor: Actor,
  input: ContainerSpecInput | VmSpecInput,
  idleTimeoutText?: string,
): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "create",
    actor,
    args: idleTimeoutText === undefined ? input : { ...input, idleTimeout: idleTimeoutText },
    dryRun: true,
    validate: () => ({
      spec: validateSpec(context, decideKind(context, actor, input)),
      idleTimeout: idleTimeoutText === undefined ? undefined : parseOwnTimeout(idleTimeoutText),
    }),
    target: ({ spec }) => spec.name,
    run: async ({ user, input: { spec, idleTimeout } }) => {
      checkWithinMaximum(spec.name, user, idleTimeout);
      checkQuotas(context, user, spec);
      await checkVmDiskQuota(context, user, spec);
      await checkNameFree(context, spec.name);
      const backend = runtimeForKind(context.deps.runtimes, spec.kind);
      // The storage port says where the workspace would be, without creating it.
      const workspaceHostPath = spec.workspace.enabled
        ? context.deps.storage.workspacePath(userStorageKey(user.id), spec.name)
        : undefined;
      const backendPlan = await backend.plan(spec, {
        ownerLabel: user.id,
        ...(workspaceHostPath === undefined ? {} : { workspaceHostPath }),
        ...(spec.remoteAccess ? { remoteAccessKeyFile: `<keys>/${spec.name}.key` } : {}),
      });
      const create: CreatePlan = {
        spec,
        owner: user.id,
        ...(workspaceHostPath === undefined ? {} : { workspaceHostPath }),
        backend: backend.info().name,
        backendPlan: user.role === "admin" ? backendPlan : { artifacts: [], commands: [] },
        ...(idleTimeout === undefined ? {} : { idleTimeout: describeOwnTimeout(idleTimeout)! }),
      };
      const steps = [
        ...(workspaceHostPath === undefined ? [] : [`create the workspace of ${spec.name} in your storage`]),
        `create ${spec.name} on the ${create.backend} runtime with ${spec.modules.join(", ") || "no modules"}`,
        `start ${spec.name} and wait until it has booted`,
        ...(idleTimeout === undefined
          ? []
          : [
              idleTimeout === "off"
                ? `never stop ${spec.name} for idleness`
                : `stop ${spec.name} after ${describeOwnTimeout(idleTimeout)} without activity`,
            ]),
      ];
      return { type: "planned", plan: { operation: "create", workload: spec.name, create, steps } };
    },
  });
}
