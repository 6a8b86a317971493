/**
 * Stopping every running workload of a user an admin has just denied, so that turning off
 * someone's access also turns off what they were running. Data stays: containers are only
 * stopped (their workspaces and roots are kept), and each stop is its own audit record
 * naming the admin who denied them.
 *
 * @module
 */
import { performance } from "node:perf_hooks";
import type { UserId } from "../domain/identity.js";
import { recordAudit } from "./audit.js";
import { toVoxnixError } from "./errors.js";
import type { CoreServices } from "./services.js";
import { runtimeForWorkload } from "./runtime-registry.js";
import { listLive } from "./live.js";
import type { LiveContainer } from "../ports/runtime.js";

/** What stopping a denied user's workloads did. */
export interface StoppedWorkloads {
  /** Workloads that were running (or not known to be stopped) and are now stopped. */
  readonly stopped: readonly string[];
  /** Workloads that could not be stopped, and why (busy with a job, a host failure). */
  readonly failed: readonly { readonly workload: string; readonly reason: string }[];
}

/**
 * Stops `owner`'s ready workloads on behalf of `admin` and records that the owner now wants
 * them stopped, so autostart after a reboot leaves them off too. Never throws: the deny
 * itself has already been recorded, and a failure here is reported, not hidden.
 */
export async function stopUserWorkloads(
  services: CoreServices,
  admin: UserId,
  owner: UserId,
): Promise<StoppedWorkloads> {
  const { context } = services;
  const { runtimes, clock, logger } = context.deps;
  const stopped: string[] = [];
  const failed: { workload: string; reason: string }[] = [];
  const records = context.repos.workloads.listByOwner(owner).filter((record) => record.status === "ready");
  const live = new Map(
    [...(await listLive(runtimes).catch(() => new Map<string, LiveContainer>())).values()].map((container) => [
      container.name,
      container.state,
    ]),
  );
  for (const record of records) {
    const startedAt = clock.now();
    const started = performance.now();
    let release: (() => void) | undefined;
    let failure: { kind: string } | undefined;
    try {
      release = services.locks.acquire(record.name);
      if (live.get(record.name) !== "stopped") {
        await runtimeForWorkload(runtimes, record).stop(record.spec.name, { onProgress: () => undefined });
        stopped.push(record.name);
      }
      context.repos.workloads.update(record.name, { desired: "stopped" }, clock.now());
    } catch (error) {
      const voxnixError = toVoxnixError(error);
      failure = { kind: voxnixError.kind };
      failed.push({ workload: record.name, reason: voxnixError.message });
      logger.error({ err: voxnixError, workload: record.name, owner }, "Could not stop a denied user's workload");
    } finally {
      release?.();
    }
    recordAudit(context, {
      actor: admin,
      operation: "stop",
      target: record.name,
      args: { name: record.name, reason: `owner ${owner} denied` },
      ...(failure ? { error: failure } : {}),
      durationMs: performance.now() - started,
      startedAt,
    });
  }
  return { stopped, failed };
}
