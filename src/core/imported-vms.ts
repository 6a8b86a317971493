/**
 * Imported VMs in the core: cluster VMs voxnix did not create, recorded from a definitions
 * file's `imported` entries (`imported_vms`). The one rule for every workload operation that
 * names one: the owner it is assigned to and admins may `show` it, and `start` or `stop` it
 * when its entry says `allowPowerControl: true` (or the runtime's own configuration lists its
 * VMID); every other operation is refused with an error naming the flag; anyone else gets the
 * same "not found" as for a missing workload, so the name does not leak. The runtime that did
 * the import (`Runtime.importedVms`) re-checks the VMID still holds that VM before it acts.
 *
 * @module
 */
import { ConflictError, InvalidInputError } from "../domain/errors.js";
import type { User } from "../domain/identity.js";
import type { OperationName } from "../domain/operations.js";
import type { ImportedVmControl } from "../ports/runtime.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";
import type { ImportedVmRecord } from "../state/imported-vms-repository.js";
import type { ImportedVmDetails } from "./api.js";
import type { CoreContext } from "./context.js";
import { tenantFacts, toImportedView } from "./views.js";

/** The imported VM called `name` if `user` may see it (its owner, or an admin). */
export function visibleImport(context: CoreContext, user: User, name: string): ImportedVmRecord | undefined {
  const entry = context.repos.importedVms.get(name);
  return entry !== undefined && (user.role === "admin" || entry.owner === user.id) ? entry : undefined;
}

/** The refusal for `operation` on an imported VM: it names the entry and the flag. */
export function importedRefusal(
  entry: ImportedVmRecord,
  operation: OperationName,
  powerAllowed = entry.allowPowerControl,
): ConflictError {
  const what = `"${entry.name}" is an imported VM (VMID ${entry.vmid}), listed under imported in the definitions file; voxnix did not create it`;
  if ((operation === "start" || operation === "stop") && !powerAllowed) {
    return new ConflictError(
      "wrong-state",
      `${what} and will not ${operation} it: its entry does not say allowPowerControl: true. An admin can add allowPowerControl: true to the entry and apply the file again.`,
    );
  }
  const may = powerAllowed
    ? "show, start and stop it (allowPowerControl: true)"
    : "only show it (start and stop need allowPowerControl: true on its entry)";
  return new ConflictError(
    "wrong-state",
    `${what} and never runs ${operation === "openSession" ? "a command or shell" : operation} on it: you can ${may}; nothing else is done to an imported VM.`,
  );
}

/** Whether the entry (or the runtime's own configuration) lets `entry` be started and stopped. */
export function powerAllowed(registry: RuntimeRegistry, entry: ImportedVmRecord): boolean {
  return entry.allowPowerControl || controlOf(registry).powerAllowedByConfig(entry.vmid);
}

/** `show` of an imported VM: its record joined with what the cluster reports now. */
export async function importedDetails(
  context: CoreContext,
  user: User,
  entry: ImportedVmRecord,
): Promise<ImportedVmDetails> {
  const registry = context.deps.runtimes;
  const live = await controlOf(registry).show({ name: entry.name, vmid: entry.vmid });
  const view = toImportedView({ ...entry, allowPowerControl: powerAllowed(registry, entry) }, live);
  const facts = live?.facts ?? {};
  return {
    ...view,
    kind: "imported-vm",
    addresses: live?.addresses ?? [],
    facts: user.role === "admin" ? facts : tenantFacts(facts),
  };
}

/** Starts or stops an imported VM after checking its flag; answers its details afterwards. */
export async function powerImported(
  context: CoreContext,
  user: User,
  entry: ImportedVmRecord,
  operation: "start" | "stop",
): Promise<ImportedVmDetails> {
  if (!powerAllowed(context.deps.runtimes, entry)) throw importedRefusal(entry, operation, false);
  await controlOf(context.deps.runtimes).power({ name: entry.name, vmid: entry.vmid }, operation, {
    onProgress: () => undefined,
  });
  return importedDetails(context, user, entry);
}

// The runtime that keeps imported VMs (Proxmox); none configured means the records are stale.
function controlOf(registry: RuntimeRegistry): ImportedVmControl {
  const control = registry.all().find((runtime) => runtime.importedVms !== undefined)?.importedVms;
  if (control) return control;
  throw new InvalidInputError([
    {
      path: "name",
      message:
        "Imported VMs live on a Proxmox cluster, and this appliance has no Proxmox runtime configured (proxmox.url).",
    },
  ]);
}
