/**
 * `autostart`: after a host reboot, starts every workload the actor may touch (everyone's
 * for admins) whose owner last asked for it to run but that is not running. Each start is a
 * normal `start` (its own lock, state check and audit record); one failure does not stop
 * the others.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import { toVoxnixError } from "../errors.js";
import type { AutostartReport, Planned, WorkloadView } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { listWorkloads } from "./list-workloads.js";
import { startWorkload } from "./start-workload.js";

/** Workloads that should run but do not. */
function needsStart(workload: WorkloadView): boolean {
  return (
    workload.status === "ready" &&
    workload.desired === "running" &&
    workload.live !== "running" &&
    workload.live !== "starting"
  );
}

/** Starts what should be running. */
export function autostart(services: CoreServices, actor: Actor): Promise<AutostartReport> {
  return runOperation(services, {
    operation: "autostart",
    actor,
    validate: () => undefined,
    run: async () => {
      const listed = await listWorkloads(services, actor);
      const started: string[] = [];
      const failed: { workload: string; reason: string }[] = [];
      for (const workload of listed.workloads.filter(needsStart)) {
        try {
          await startWorkload(services, actor, workload.name);
          started.push(workload.name);
        } catch (error) {
          failed.push({ workload: workload.name, reason: toVoxnixError(error).message });
        }
      }
      return { started, failed };
    },
  });
}

/** The dry run of `autostart`: what it would start. */
export function planAutostart(services: CoreServices, actor: Actor): Promise<Planned> {
  return runOperation(services, {
    operation: "autostart",
    actor,
    dryRun: true,
    validate: () => undefined,
    run: async () => {
      const workloads = (await listWorkloads(services, actor)).workloads
        .filter(needsStart)
        .map((workload) => workload.name);
      return {
        type: "planned",
        plan: { operation: "autostart", workloads, steps: workloads.map((name) => `start ${name}`) },
      };
    },
  });
}
