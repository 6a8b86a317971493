/**
 * Applying a definitions file through the core: each VM to create is a normal `create` made as
 * its owner (so ownership, quotas, validation and audit are exactly those of a chat request),
 * followed as a job whose events are passed on; after it is up, the fleet steps (NixOS, host
 * key, secrets) run when the entry asks for them. Nothing is created while the plan has a
 * conflict or an owner is denied. If any step fails, every VM this apply created is destroyed
 * again, newest first, through the core's own destroy and confirmation (the core keeps its undo
 * copy as for any destroy), and the error says what was undone and what, if anything, was left.
 * Existing, differing, unlisted and imported VMs are never touched.
 *
 * @module
 */
import type { Core, JobEvent, WorkloadView } from "../core/api.js";
import { ConflictError, ForbiddenError, HostFailureError } from "../domain/errors.js";
import type { Actor, UserId } from "../domain/identity.js";
import { Reverter } from "../domain/reverter.js";
import { vmInputOf, type Definitions, type ManagedVmDefinition } from "./definitions.js";
import { planDefinitions, type DefinitionsPlan } from "./plan.js";

/** What the fleet steps after a create reported (shown and written to the state summary). */
export interface FleetStepResult {
  /** The pinned host key line (`ssh-ed25519 AAAA…`), when it was read. */
  readonly hostKey?: string;
  /** The host's age recipient (`age1…`), when derived. */
  readonly ageRecipient?: string;
  /** Secrets files re-encrypted for it. */
  readonly reencrypted?: readonly string[];
  /** Steps skipped and why ("nixos: proxmox.fleet.nixosCommand is not set"). */
  readonly notes: readonly string[];
}

export interface ApplyDeps {
  readonly core: Core;
  /** Who applies: must be an admin. */
  readonly actor: Actor;
  /** Every job event of every create (and rollback destroy), with the VM's name. */
  readonly onEvent?: (workload: string, event: JobEvent) => void;
  /** Runs after a VM of an entry with `nixos: true` is up; a failure rolls the whole apply back. */
  readonly afterCreate?: (vm: ManagedVmDefinition, view: WorkloadView) => Promise<FleetStepResult>;
  /** Notices for the person applying ("approved telegram:42 so their VM can be created"). */
  readonly notice?: (line: string) => void;
}

export interface AppliedVm {
  readonly name: string;
  readonly owner: UserId;
  readonly addresses: readonly string[];
  readonly fleet?: FleetStepResult;
}

export interface ApplyReport {
  readonly file: string;
  readonly plan: DefinitionsPlan;
  readonly created: readonly AppliedVm[];
}

/** An apply that failed part-way: what was rolled back and what was left. */
export class ApplyFailedError extends HostFailureError {
  constructor(
    message: string,
    readonly failedAt: string,
    readonly undone: readonly string[],
    readonly kept: readonly string[],
    detail: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, detail, options);
  }
}

/** Plans `definitions` as the applying admin sees the world. */
export async function planFor(core: Core, actor: Actor, definitions: Definitions): Promise<DefinitionsPlan> {
  const me = await core.whoami(actor);
  if (me.role !== "admin")
    throw new ForbiddenError("admin-only", "Only an admin can plan or apply a Proxmox definitions file.");
  return planDefinitions(definitions, await core.list(actor));
}

/** Applies `definitions`; resolves with what was created, or throws (after rolling back). */
export async function applyDefinitions(deps: ApplyDeps, definitions: Definitions): Promise<ApplyReport> {
  const { core, actor } = deps;
  const plan = await planFor(core, actor, definitions);
  const conflicts = plan.steps.filter((step) => step.action === "conflict");
  if (conflicts.length > 0) {
    throw new ConflictError(
      "wrong-state",
      `The definitions cannot be applied: ${conflicts.map((step) => `line ${step.line}: ${step.reason}`).join(" ")} Nothing was changed.`,
    );
  }
  const toCreate = plan.steps
    .filter((step) => step.action === "create")
    .map((step) => definitions.vms.find((vm) => vm.name === step.name)!);

  // Owners first: a denied owner refuses the apply before anything exists.
  for (const owner of new Set(toCreate.map((vm) => vm.owner))) {
    const user = await core.whoami({ userId: owner });
    if (user.status === "denied")
      throw new ConflictError(
        "wrong-state",
        `${owner} is denied, so their VMs cannot be created; approve them or change the owner. Nothing was changed.`,
      );
    if (user.status === "pending") {
      await core.approveUser(actor, owner);
      deps.notice?.(`notice: approved ${owner} (the definitions file gives them a VM).`);
    }
  }

  const reverter = new Reverter();
  const created: AppliedVm[] = [];
  const undone: string[] = [];
  let current = "";
  try {
    for (const vm of toCreate) {
      current = vm.name;
      const owner: Actor = { userId: vm.owner };
      const handle = await core.create(owner, vmInputOf(vm));
      const unsubscribe = handle.onEvent((event) => deps.onEvent?.(vm.name, event));
      let view: WorkloadView;
      try {
        view = await handle.wait();
      } finally {
        unsubscribe();
      }
      reverter.add(`the VM "${vm.name}" of ${vm.owner}`, async () => {
        await destroyAsOwner(deps, owner, vm.name);
        undone.push(vm.name);
      });
      const fleet = vm.nixos ? await deps.afterCreate?.(vm, view) : undefined;
      created.push({ name: vm.name, owner: vm.owner, addresses: view.addresses, ...(fleet ? { fleet } : {}) });
    }
    reverter.success();
    return { file: definitions.file, plan, created };
  } catch (error) {
    const kept = await reverter.revert();
    const message = error instanceof Error ? error.message : String(error);
    const undoneText =
      undone.length > 0
        ? ` Rolled back what this apply created: ${undone.join(", ")}.`
        : " Nothing else had been created.";
    const keptText = kept.length > 0 ? ` Rolling back left behind: ${kept.join("; ")}.` : "";
    throw new ApplyFailedError(
      `Applying ${definitions.file} failed at "${current}": ${message}${undoneText}${keptText}`,
      current,
      undone,
      kept,
      error instanceof HostFailureError ? error.detail : undefined,
      { cause: error },
    );
  }
}

// A rollback is a destroy like any other (plan, confirmation, the core's undo copy); the apply
// confirms it itself because it is undoing its own create.
async function destroyAsOwner(deps: ApplyDeps, owner: Actor, name: string): Promise<void> {
  const outcome = await deps.core.destroy(owner, name);
  const handle = await deps.core.confirm(owner, outcome.token);
  const unsubscribe = handle.onEvent((event) => deps.onEvent?.(name, event));
  try {
    await handle.wait();
  } finally {
    unsubscribe();
  }
}
