/**
 * The fleet's link to the assembled app: its settings from `proxmox.fleet`, and the state
 * summary each apply writes to the git audit trail.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { createImportedVmsRepository } from "../state/imported-vms-repository.js";
import type { App } from "../app/app.js";
import type { Actor } from "../domain/identity.js";
import type { ApplyFailedError, ApplyReport } from "./apply.js";
import type { Definitions } from "./definitions.js";
import type { FleetSettings } from "./fleet-steps.js";
import { commitTrail, type TrailCommit } from "./git-trail.js";

/** The fleet settings from the configuration (paths already resolved by the config loader). */
export function fleetSettingsOf(app: App): FleetSettings {
  const { proxmox } = app.config;
  const fleet = proxmox.fleet;
  return {
    ...(fleet.nixosCommand ? { nixosCommand: fleet.nixosCommand } : {}),
    ...(fleet.nixosDirectory ? { nixosDirectory: fleet.nixosDirectory } : {}),
    nixosTimeoutMs: fleet.nixosTimeoutSeconds * 1000,
    sshUser: fleet.sshUser ?? proxmox.ciUser,
    sshPort: fleet.sshPort,
    knownHostsFile: fleet.knownHostsFile ?? join(app.stateDir, "proxmox", "known_hosts"),
    ...(fleet.secrets ? { secrets: fleet.secrets } : {}),
  };
}

export type ApplyOutcome =
  | { readonly outcome: "applied"; readonly report: ApplyReport }
  | { readonly outcome: "failed"; readonly error: ApplyFailedError };

/** The summary committed next to the definitions file: names, owners, addresses and public keys only. */
export function stateSummary(actor: Actor, definitions: Definitions, result: ApplyOutcome, at: Date): unknown {
  const base = {
    appliedAt: at.toISOString(),
    appliedBy: actor.userId,
    file: definitions.file,
    outcome: result.outcome,
  };
  if (result.outcome === "failed") {
    return {
      ...base,
      failedAt: result.error.failedAt,
      error: result.error.message,
      rolledBack: result.error.undone,
      leftBehind: result.error.kept,
    };
  }
  const { report } = result;
  return {
    ...base,
    created: report.created.map((vm) => ({
      name: vm.name,
      owner: vm.owner,
      addresses: vm.addresses,
      ...(vm.fleet?.hostKey ? { hostKey: vm.fleet.hostKey } : {}),
      ...(vm.fleet?.ageRecipient ? { ageRecipient: vm.fleet.ageRecipient } : {}),
      ...(vm.fleet?.reencrypted?.length ? { reencrypted: vm.fleet.reencrypted } : {}),
      ...(vm.fleet?.notes.length ? { notes: vm.fleet.notes } : {}),
    })),
    vms: report.plan.steps.map((step) => ({
      name: step.name,
      state: step.action,
      ...("owner" in step && step.owner ? { owner: step.owner } : {}),
      ...("vmid" in step ? { vmid: step.vmid } : {}),
    })),
  };
}

/** One line naming who applied what. */
export function trailMessage(actor: Actor, definitions: Definitions, result: ApplyOutcome): string {
  const file = definitions.file.split("/").pop() ?? definitions.file;
  if (result.outcome === "failed") {
    const undone = result.error.undone.length > 0 ? `; rolled back ${result.error.undone.join(", ")}` : "";
    return `proxmox apply of ${file} by ${actor.userId} failed at ${result.error.failedAt}${undone}`;
  }
  const created = result.report.created.map((vm) => vm.name);
  return `proxmox apply of ${file} by ${actor.userId}: ${created.length > 0 ? `created ${created.join(", ")}` : "nothing to create"}`;
}

/**
 * Records the file's imported entries, so each owner sees their imported VM in their list (and
 * admins every one), with whether it may be started and stopped (`allowPowerControl`);
 * replaces what this file recorded before. Runs after a successful apply: the admin applying
 * the file is who assigns. Returns how many entries name an owner.
 */
export function recordImports(app: App, definitions: Definitions): number {
  const entries = definitions.imported.map((vm) => ({
    name: vm.name,
    vmid: vm.vmid,
    allowPowerControl: vm.allowPowerControl,
    ...(vm.owner ? { owner: vm.owner } : {}),
    ...(vm.note ? { note: vm.note } : {}),
  }));
  createImportedVmsRepository(app.db).replaceFromSource(resolve(definitions.file), entries, new Date());
  return entries.filter((entry) => entry.owner !== undefined).length;
}

/** Commits the apply to `proxmox.fleet.gitRepo`; undefined when no repository is configured. */
export async function recordApply(
  app: App,
  actor: Actor,
  definitions: Definitions,
  result: ApplyOutcome,
): Promise<TrailCommit | undefined> {
  const repo = app.config.proxmox.fleet.gitRepo;
  if (repo === undefined) return undefined;
  return commitTrail(app.runner, repo, {
    file: definitions.file,
    text: definitions.text,
    summary: stateSummary(actor, definitions, result, new Date()),
    message: trailMessage(actor, definitions, result),
  });
}
