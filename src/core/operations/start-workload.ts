/**
 * `start`: mount the workspace (every time: a reboot may have unmounted it), start the
 * container and record that the owner wants it running.
 *
 * @module
 */
import { userStorageKey, type Actor } from "../../domain/identity.js";
import type { ContainerHostContext } from "../../ports/container-backend.js";
import type { WorkloadView } from "../api.js";
import type { CoreContext } from "../context.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";
import type { WorkloadRecord } from "../../state/workloads-repository.js";
import { currentView, requireReady, requireWorkload } from "../workload-access.js";

/** Starts the actor's workload `name`. */
export function startWorkload(services: CoreServices, actor: Actor, name: string): Promise<WorkloadView> {
  const { context } = services;
  return runOperation(services, {
    operation: "start",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async (scope) => {
      const record = requireWorkload(context, scope);
      requireReady(record);
      await startContainer(context, record);
      context.repos.workloads.update(record.name, { desired: "running" }, context.deps.clock.now());
      return currentView(context, record.name);
    },
  });
}

/** Mounts the workspace, refreshes the key file and starts the container. */
export async function startContainer(context: CoreContext, record: WorkloadRecord): Promise<void> {
  const { deps } = context;
  const userKey = userStorageKey(record.owner);
  let workspaceHostPath: string | undefined;
  if (record.spec.workspace.enabled) workspaceHostPath = (await deps.storage.ensureWorkspaceMounted(userKey, record.name)).hostPath;
  let remoteAccessKeyFile: string | undefined;
  if (record.spec.remoteAccess && deps.remoteAccess?.available()) remoteAccessKeyFile = (await deps.remoteAccess.prepareKeyFile(record.name)).path;
  const host: ContainerHostContext = {
    ownerLabel: record.owner,
    ...(workspaceHostPath === undefined ? {} : { workspaceHostPath }),
    ...(remoteAccessKeyFile === undefined ? {} : { remoteAccessKeyFile }),
    onProgress: () => undefined,
  };
  await deps.backend.start(record.spec.name, host);
}
