/**
 * `restore`: brings back a destroyed workload from its latest kept snapshot within the undo
 * window, under the same name (which must be free again), with the recorded spec.
 *
 * @module
 */
import { NotFoundError } from "../../domain/errors.js";
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { JobOf, Planned } from "../api.js";
import type { CoreContext } from "../context.js";
import type { StoredUser } from "../../state/users-repository.js";
import type { SnapshotRecord } from "../../state/snapshots-repository.js";
import type { WorkloadName } from "../../domain/names.js";
import {
  checkNameFree,
  checkQuotas,
  checkVmDiskQuota,
  checkCodeServerAuth,
  checkRemoteAccess,
  nameTaken,
} from "../admission.js";
import { validateName } from "../inputs.js";
import { provisionWorkload } from "../provision.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import { discardKeptRootDisk, keptDiskOf, pruneExpiredSnapshots } from "../snapshots.js";
import { runtimeForKind } from "../runtime-registry.js";

/** Starts a restore job for the actor's destroyed workload `name`. */
export function restoreWorkload(services: CoreServices, actor: Actor, name: string): Promise<JobOf<"restore">> {
  const { context } = services;
  return runOperation(services, {
    operation: "restore",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async ({ user, input, lock, detach }) => {
      const { repos, deps } = context;
      await pruneExpiredSnapshots(context);
      const snapshot = await admitRestore(context, user, input);
      const now = deps.clock.now();
      const inserted = repos.workloads.insert({
        name: input,
        owner: user.id,
        backend: runtimeForKind(deps.runtimes, snapshot.spec.kind).info().name,
        spec: snapshot.spec,
        status: "creating",
        desired: "running",
        createdAt: now,
        updatedAt: now,
      });
      if (!inserted) throw nameTaken(context, input);
      try {
        lock(input);
      } catch (error) {
        repos.workloads.delete(input);
        throw error;
      }
      const source =
        snapshot.storageRef === undefined
          ? { kind: "new" as const }
          : { kind: "snapshot" as const, ref: snapshot.storageRef };
      const runtime = runtimeForKind(deps.runtimes, snapshot.spec.kind);
      // The kept root disk comes back only on the runtime that kept it.
      const rootDiskRef =
        snapshot.rootDisk !== undefined && snapshot.rootDisk.runtime === runtime.info().name
          ? snapshot.rootDisk.ref
          : undefined;
      const onSettled = detach();
      const handle = services.jobs.start({
        onSettled,
        kind: "restore",
        workload: input,
        owner: user.id,
        work: async (job) => {
          job.progress({ type: "step", step: "restoring", message: `Restoring ${input} from its snapshot` });
          const view = await provisionWorkload(context, user, snapshot.spec, source, job, rootDiskRef);
          repos.snapshots.setState(snapshot.id, "restored");
          // The VM runs on a copy of the kept root disk; the kept one is no longer needed.
          await discardKeptRootDisk(context, snapshot).catch((error: unknown) => {
            deps.logger.warn({ err: error, snapshot: snapshot.id }, "Could not delete a restored VM's kept root disk");
          });
          if (snapshot.storageRef !== undefined) {
            await deps.storage.deleteSnapshot({ ref: snapshot.storageRef }).catch((error: unknown) => {
              deps.logger.warn(
                { err: error, snapshot: snapshot.id, owner: userStorageKey(user.id) },
                "Could not delete a restored snapshot",
              );
            });
          }
          return view;
        },
      });
      return handle;
    },
  });
}

/** The dry run of `restore`: the same checks, and what it would bring back. */
export function planRestore(services: CoreServices, actor: Actor, name: string): Promise<Planned> {
  const { context } = services;
  return runOperation(services, {
    operation: "restore",
    actor,
    args: { name },
    dryRun: true,
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async ({ user, input }) => {
      const snapshot = await admitRestore(context, user, input);
      // What comes back is what the runtime kept: a root disk (qemu, microvm), or on Proxmox the workspace disk.
      const kept =
        snapshot.rootDisk === undefined ? undefined : keptDiskOf(context.deps.runtimes, snapshot.rootDisk.runtime);
      const steps = [
        kept?.holdsWorkspace
          ? `recreate ${input} as a new VM`
          : snapshot.storageRef !== undefined
            ? `recreate ${input} with /workspace from its snapshot`
            : `recreate ${input} with an empty workspace`,
        ...(snapshot.rootDisk === undefined
          ? []
          : [`bring back ${kept!.words} as it was when it was destroyed (${snapshot.rootDisk.runtime})`]),
        `start ${input} with its recorded modules (${snapshot.spec.modules.join(", ") || "none"})`,
      ];
      return { type: "planned", plan: { operation: "restore", workload: input, steps } };
    },
  });
}

/** The snapshot `restore` of `name` would use, after every check a restore makes. */
async function admitRestore(context: CoreContext, user: StoredUser, name: WorkloadName): Promise<SnapshotRecord> {
  const { repos, deps } = context;
  const snapshot = repos.snapshots.latestKept(user.id, name, deps.clock.now());
  if (!snapshot) {
    throw new NotFoundError(
      "snapshot",
      name,
      `There is nothing to restore for "${name}": it was never destroyed by you, or its undo window has passed.`,
    );
  }
  checkRemoteAccess(context, snapshot.spec);
  checkCodeServerAuth(context, snapshot.spec);
  checkQuotas(context, user, snapshot.spec);
  await checkVmDiskQuota(context, user, snapshot.spec);
  await checkNameFree(context, name);
  return snapshot;
}
