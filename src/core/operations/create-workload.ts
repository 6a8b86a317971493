/**
 * `create`: validate the spec, admit it (name, quotas, an idle timeout within the owner's
 * maximum), record the workload as `creating` and provision it in a job.
 *
 * @module
 */
import type { ContainerSpecInput } from "../../domain/spec.js";
import type { VmSpecInput } from "../../domain/vm-spec.js";
import type { Actor } from "../../domain/identity.js";
import type { CreateJob, CreateOptions } from "../api.js";
import { checkNameFree, checkQuotas, checkVmDiskQuota, nameTaken, validateSpec } from "../admission.js";
import { provisionWorkload } from "../provision.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { runtimeForKind } from "../runtime-registry.js";
import { decideKind } from "../workload-kind.js";
import { checkWithinMaximum, parseOwnTimeout } from "./set-idle-timeout.js";

/** Starts a create job for `input`, owned by the actor (with its own idle timeout when `options` gives one). */
export function createWorkload(
  services: CoreServices,
  actor: Actor,
  input: ContainerSpecInput | VmSpecInput,
  options: CreateOptions = {},
): Promise<CreateJob> {
  const { context } = services;
  return runOperation(services, {
    operation: "create",
    actor,
    args: options?.idleTimeout === undefined ? input : { ...input, idleTimeout: options.idleTimeout },
    validate: () => ({
      spec: validateSpec(context, decideKind(context, actor, input)),
      idleTimeout: options?.idleTimeout === undefined ? undefined : parseOwnTimeout(options.idleTimeout),
    }),
    target: ({ spec }) => spec.name,
    run: async ({ user, input: { spec, idleTimeout }, lock, detach }) => {
      checkWithinMaximum(spec.name, user, idleTimeout);
      checkQuotas(context, user, spec);
      await checkVmDiskQuota(context, user, spec);
      await checkNameFree(context, spec.name);
      const now = context.deps.clock.now();
      const inserted = context.repos.workloads.insert({
        name: spec.name,
        owner: user.id,
        backend: runtimeForKind(context.deps.runtimes, spec.kind).info().name,
        spec,
        status: "creating",
        desired: "running",
        createdAt: now,
        updatedAt: now,
      });
      if (!inserted) throw nameTaken(context, spec.name);
      // The timer row goes with the workload row (ON DELETE CASCADE) if the create fails.
      if (idleTimeout !== undefined) context.repos.idleTimers.setTimeout(spec.name, idleTimeout, now);
      try {
        lock(spec.name);
      } catch (error) {
        context.repos.workloads.delete(spec.name);
        throw error;
      }
      const onSettled = detach();
      const handle = services.jobs.start({
        onSettled,
        kind: "create",
        workload: spec.name,
        owner: user.id,
        work: (job) => provisionWorkload(context, user, spec, { kind: "new" }, job),
      });
      return { ...handle, workloadKind: spec.kind };
    },
  });
}
