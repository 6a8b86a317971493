/**
 * `doctor` (admins): backend, storage and remote-access checks. `ok` only when the backend's
 * checks pass, because without them nothing can run.
 *
 * @module
 */
import type { Actor } from "../../domain/identity.js";
import type { DoctorCheck } from "../../ports/runtime.js";
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
      const { runtimes, storage, remoteAccess } = context.deps;
      const failed =
        (name: string) =>
        (error: unknown): readonly DoctorCheck[] => [
          { name, ok: false, detail: error instanceof Error ? error.message : String(error) },
        ];
      const [runtimeChecks, storageChecks, remoteChecks] = await Promise.all([
        Promise.all(
          runtimes.all().map((runtime) => runtime.doctor().catch(failed(`${runtime.info().name}-backend`))),
        ).then((lists) => lists.flat()),
        storage.doctor().catch(failed(`${storage.info().name}-storage`)),
        remoteAccess
          ? remoteAccess.doctor().catch(failed("remote-access"))
          : Promise.resolve<readonly DoctorCheck[]>([]),
      ]);
      return {
        backend: runtimes
          .all()
          .map((runtime) => runtime.info().name)
          .join(", "),
        storage: storage.info().name,
        ok: runtimeChecks.length > 0 && runtimeChecks.every((check) => check.ok),
        checks: [...runtimeChecks, ...storageChecks, ...remoteChecks],
      };
    },
  });
}
