/**
 * `start`: mount the workspace (every time: a reboot may have unmounted it), start the
 * container and record that the owner wants it running.
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { HostContext } from "../../ports/runtime.js";
import type { ImportedVmDetails, Planned, WorkloadView } from "../api.js";
import type { CoreContext } from "../context.js";
import {
  planLifecycleChange,
  runLifecycleChange,
  type LifecycleChange,
  type LifecycleReason,
} from "../lifecycle-operation.js";
import type { CoreServices } from "../services.js";
import type { WorkloadRecord } from "../../state/workloads-repository.js";
import { runtimeForWorkload } from "../runtime-registry.js";

function startChange(context: CoreContext): LifecycleChange {
  return {
    operation: "start",
    importedPower: "start",
    desired: "running",
    apply: (record) => startContainer(context, record),
    describe: (record) => [
      ...(record.spec.workspace.enabled ? [`mount the workspace of ${record.name}`] : []),
      `start ${record.name} (already running is fine)`,
      `remember that ${record.name} should be running`,
    ],
  };
}

/** Starts the actor's workload `name`. */
export function startWorkload(
  services: CoreServices,
  actor: Actor,
  name: string,
  reason?: LifecycleReason,
): Promise<WorkloadView | ImportedVmDetails> {
  return runLifecycleChange(services, actor, name, startChange(services.context), reason);
}

/** The dry run of `start`. */
export function planStart(services: CoreServices, actor: Actor, name: string): Promise<Planned> {
  return planLifecycleChange(services, actor, name, startChange(services.context));
}

/** Mounts the workspace, refreshes the key file and starts the container. */
export async function startContainer(context: CoreContext, record: WorkloadRecord): Promise<void> {
  const host = await prepareHost(context, record, () => undefined);
  await runtimeForWorkload(context.deps.runtimes, record).start(record.spec.name, host);
}

/** What a runtime needs from the host to (re)start `record`: its mounted workspace and key file. */
export async function prepareHost(
  context: CoreContext,
  record: WorkloadRecord,
  onProgress: HostContext["onProgress"],
): Promise<HostContext> {
  const { deps } = context;
  const userKey = userStorageKey(record.owner);
  let workspaceHostPath: string | undefined;
  if (record.spec.workspace.enabled)
    workspaceHostPath = (await deps.storage.ensureWorkspaceMounted(userKey, record.name)).hostPath;
  let remoteAccessKeyFile: string | undefined;
  if (record.spec.remoteAccess && deps.remoteAccess?.available())
    remoteAccessKeyFile = (await deps.remoteAccess.prepareKeyFile(record.name)).path;
  return {
    ownerLabel: record.owner,
    ...(workspaceHostPath === undefined ? {} : { workspaceHostPath }),
    ...(remoteAccessKeyFile === undefined ? {} : { remoteAccessKeyFile }),
    onProgress,
  };
}
