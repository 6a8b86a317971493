/**
 * `doctor` (admins): backend, storage, remote-access and further runtimes' (Proxmox) checks. `ok` only when the backend's
 * checks pass, because without them nothing can run.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { DoctorCheck } from "../../ports/container-backend.js";
import type { DoctorReport } from "../api.js";
import { runOperation } from "../run-operation.js";
import type { CoreServices } from "../services.js";

/** Runs every prerequisite check. */
export function runDoctor(services: CoreServices, actor: Actor): Promise<DoctorReport> {
  const { context } = services;
  return runOperation(services, {
    operation: "doctor",
    actor,
    validate: () => undefined,
    run: async () => {
      const { backend, storage, remoteAccess, extraDoctors = [] } = context.deps;
      const failed = (name: string) => (error: unknown): readonly DoctorCheck[] => [
        { name, ok: false, detail: error instanceof Error ? error.message : String(error) },
      ];
      const [backendChecks, storageChecks, remoteChecks, ...extraChecks] = await Promise.all([
        backend.doctor().catch(failed(`${backend.info().name}-backend`)),
        storage.doctor().catch(failed(`${storage.info().name}-storage`)),
        remoteAccess ? remoteAccess.doctor().catch(failed("remote-access")) : Promise.resolve<readonly DoctorCheck[]>([]),
        ...extraDoctors.map((extra) => extra.doctor().catch(failed(extra.name))),
      ]);
      return {
        backend: backend.info().name,
        storage: storage.info().name,
        ok: backendChecks.length > 0 && backendChecks.every((check) => check.ok),
        checks: [...backendChecks, ...storageChecks, ...remoteChecks, ...extraChecks.flat()],
      };
    },
  });
}
