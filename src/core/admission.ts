/**
 * Admission of new workloads (create, plan, restore): spec validation against the catalog
 * and backend, remote-access availability, host-wide name uniqueness and per-user quotas.
 *
 * @module
 */
import { ConflictError, InvalidInputError, QuotaError } from "../domain/errors.js";
import type { User } from "../domain/identity.js";
import { MAX_WORKLOAD_NAME_LENGTH, isWorkloadName } from "../domain/names.js";
import { formatSize } from "../domain/sizes.js";
import { validateContainerSpec, type WorkloadSpec } from "../domain/spec.js";
import { DEFAULT_VM_POLICY, validateVmSpec, type VmSpec } from "../domain/vm-spec.js";
import { userStorageKey } from "../domain/identity.js";
import type { CoreContext } from "./context.js";
import { runtimeForKind, runtimeForWorkload } from "./runtime-registry.js";
import { keptRootDisksHeld } from "./snapshots.js";

/** Validates raw create input into a spec (throws `InvalidInputError` with field paths). */
export function validateSpec(context: CoreContext, input: unknown): WorkloadSpec {
  const { deps } = context;
  if ((input as { kind?: unknown } | null)?.kind === "vm") {
    // Refused plainly when no VM runtime is configured, before the spec is even read.
    runtimeForKind(deps.runtimes, "vm");
    return validateVmSpec(input, deps.policy.vmResources ?? DEFAULT_VM_POLICY);
  }
  const info = runtimeForKind(deps.runtimes, "container").info();
  const spec = validateContainerSpec(input, {
    catalog: deps.catalog,
    backendModules: info.modules,
    backendName: info.name,
    resources: deps.policy.resources,
  });
  checkRemoteAccess(context, spec);
  checkCodeServerAuth(context, spec);
  return spec;
}

/** The module whose web UI is a root shell for whoever reaches it. */
export const CODE_SERVER_MODULE = "code-server";

/** Refuses code-server without authentication unless the admin allowed it. */
export function checkCodeServerAuth(context: CoreContext, spec: WorkloadSpec): void {
  if (!spec.modules.includes(CODE_SERVER_MODULE) || context.deps.policy.allowCodeServerWithoutAuth === true) return;
  if (spec.moduleOptions[CODE_SERVER_MODULE]?.auth !== "none") return;
  throw new InvalidInputError([
    {
      path: `moduleOptions.${CODE_SERVER_MODULE}.auth`,
      message:
        'code-server without a password ("auth: none") gives anyone who reaches its port a root shell in the container; it is refused unless an administrator sets security.allowCodeServerWithoutAuth.',
    },
  ]);
}

/** Refuses remote access when no Tailscale key is configured. */
export function checkRemoteAccess(context: CoreContext, spec: WorkloadSpec): void {
  const provider = context.deps.remoteAccess;
  if (spec.remoteAccess && (!provider || !provider.available())) {
    throw new InvalidInputError([
      {
        path: "remoteAccess",
        message:
          "Remote access (tailscale) is not available: an administrator must configure a Tailscale auth key first.",
      },
    ]);
  }
}

/**
 * Throws `ConflictError('name-taken')` when `name` is recorded or exists on the host. The
 * message says nothing about who has it and suggests a free name.
 */
export async function checkNameFree(context: CoreContext, name: string): Promise<void> {
  const { repos, deps } = context;
  const taken =
    repos.workloads.get(name) !== undefined ||
    (await Promise.all(deps.runtimes.all().map((runtime) => runtime.show(name as never)))).some(
      (live) => live !== undefined,
    );
  if (taken) throw nameTaken(context, name);
}

/** The conflict for a taken name, with a suggestion. */
export function nameTaken(context: CoreContext, name: string): ConflictError {
  const suggestion = suggestFreeName(name, context.repos.workloads.names());
  const hint = suggestion ? ` Try "${suggestion}".` : " Pick another name.";
  return new ConflictError("name-taken", `The name "${name}" is already taken.${hint}`);
}

/** The first of `name-2`, `name-3`, … (shortened to fit) that is valid and not in `taken`. */
export function suggestFreeName(name: string, taken: ReadonlySet<string>): string | undefined {
  for (let counter = 2; counter < 100; counter += 1) {
    const suffix = `-${counter}`;
    const base = name.slice(0, MAX_WORKLOAD_NAME_LENGTH - suffix.length).replace(/-+$/, "");
    const candidate = `${base}${suffix}`;
    if (isWorkloadName(candidate) && !taken.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Validates the spec a workload would have after a change, with the same rules as create but
 * against the workload's own runtime (which may not be today's default for its kind).
 */
export function validateChangedSpec(
  context: CoreContext,
  record: { readonly name: string; readonly backend: string },
  input: Record<string, unknown>,
): WorkloadSpec {
  const { deps } = context;
  if (input.kind === "vm") return validateVmSpec(input, deps.policy.vmResources ?? DEFAULT_VM_POLICY);
  const info = runtimeForWorkload(deps.runtimes, record).info();
  const spec = validateContainerSpec(input, {
    catalog: deps.catalog,
    backendModules: info.modules,
    backendName: info.name,
    resources: deps.policy.resources,
  });
  checkCodeServerAuth(context, spec);
  return spec;
}

/**
 * Throws `QuotaError` when adding `spec` would exceed `user`'s limits. With `replacing`, `spec`
 * takes the place of that (already counted) spec instead: a change, not one more workload.
 */
export function checkQuotas(context: CoreContext, user: User, spec: WorkloadSpec, replacing?: WorkloadSpec): void {
  const counted = context.repos.workloads.usage(user.id);
  const usage = replacing
    ? {
        count: counted.count - 1,
        cpus: counted.cpus - replacing.resources.cpus,
        memoryBytes: counted.memoryBytes - replacing.resources.memoryBytes,
        pids: counted.pids - replacing.resources.pids,
      }
    : counted;
  const limits = user.limits;
  if (usage.count + 1 > limits.maxWorkloads) {
    throw new QuotaError(
      "workloads",
      `You already have ${usage.count} of your ${limits.maxWorkloads} allowed workloads; destroy one first or ask an administrator to raise the limit.`,
    );
  }
  if (usage.cpus + spec.resources.cpus > limits.cpuBudget) {
    throw new QuotaError(
      "cpu",
      `This needs ${spec.resources.cpus} CPUs but only ${Math.max(0, limits.cpuBudget - usage.cpus)} of your budget of ${limits.cpuBudget} are left; ask for fewer or stop using some.`,
    );
  }
  if (usage.memoryBytes + spec.resources.memoryBytes > limits.memoryBudgetBytes) {
    throw new QuotaError(
      "memory",
      `This needs ${formatSize(spec.resources.memoryBytes)} of memory but only ${formatSize(Math.max(0, limits.memoryBudgetBytes - usage.memoryBytes))} of your ${formatSize(limits.memoryBudgetBytes)} budget are left.`,
    );
  }
  if (usage.pids + spec.resources.pids > limits.pidsBudget) {
    throw new QuotaError(
      "pids",
      `This needs ${spec.resources.pids} processes but only ${Math.max(0, limits.pidsBudget - usage.pids)} of your budget of ${limits.pidsBudget} are left; ask for fewer or ask an administrator to raise it.`,
    );
  }
  if (
    spec.workspace.enabled &&
    spec.workspace.sizeBytes !== undefined &&
    spec.workspace.sizeBytes > limits.diskQuotaBytes
  ) {
    throw new QuotaError(
      "disk",
      `A ${formatSize(spec.workspace.sizeBytes)} workspace is larger than your disk quota of ${formatSize(limits.diskQuotaBytes)}.`,
    );
  }
}

/**
 * Throws `QuotaError` when a VM's disks do not fit in what is left of `user`'s disk quota.
 * A VM's root disk (a qcow2 overlay in the runtime's folder, outside the storage driver's
 * quota) grows up to its declared size, so each VM holds its declared root disk against the
 * quota from create on; the new VM needs its root disk and its workspace disk on top of what
 * the storage driver reports as used. Containers are bounded by the driver's quota alone.
 */
export async function checkVmDiskQuota(context: CoreContext, user: User, spec: WorkloadSpec): Promise<void> {
  if (spec.kind !== "vm") return;
  const quota = user.limits.diskQuotaBytes;
  const held = vmRootDisksHeld(context, user, spec.name) + keptRootDisksHeld(context, user.id, spec.name);
  const used = (await context.deps.storage.userUsage(userStorageKey(user.id))).usedBytes;
  const needed = spec.diskBytes + spec.workspaceBytes;
  const left = quota - used - held;
  if (needed <= left) return;
  const others =
    held > 0
      ? ` (${formatSize(held)} of it held by the root disks of your other VMs, including destroyed ones kept for undo)`
      : "";
  throw new QuotaError(
    "disk",
    `This VM needs ${formatSize(needed)} of your disk quota (a ${formatSize(spec.diskBytes)} root disk and a ${formatSize(spec.workspaceBytes)} workspace), but only ${formatSize(Math.max(0, left))} of your ${formatSize(quota)} are left${others}. Ask for a smaller disk, destroy something, or ask an administrator for a bigger quota. Nothing was created.`,
  );
}

/** Bytes the root disks of `user`'s VMs (other than `except`) hold against their quota: their declared sizes. */
export function vmRootDisksHeld(context: CoreContext, user: User, except?: string): number {
  return context.repos.workloads
    .listByOwner(user.id)
    .filter((record) => record.spec.kind === "vm" && record.name !== except)
    .reduce((sum, record) => sum + (record.spec as VmSpec).diskBytes, 0);
}
