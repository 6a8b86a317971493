/**
 * Which kind a create gets. A request that says `kind` keeps it; one that says nothing gets
 * the user's `defaultKind` (set by an admin, see `setUserLimits`), so an admin can make VMs,
 * the stronger boundary, the default for people they trust less without those people having
 * to know. `vmOnly` refuses containers outright. The decision is made before validation, from
 * the stored user (read only: first contact is registered later by `runOperation`), so the
 * request is validated once, as what it will be.
 *
 * @module
 */
import { InvalidInputError } from "../domain/errors.js";
import type { Actor, UserLimits } from "../domain/identity.js";
import { containerSpecInputSchema, type ContainerSpecInput, type WorkloadKind } from "../domain/spec.js";
import type { VmSpecInput } from "../domain/vm-spec.js";
import type { CoreContext } from "./context.js";

/** The kinds of workload `limits` allow, and the one a create gets when it names none. */
export function kindPolicy(limits: UserLimits): { readonly defaultKind: WorkloadKind; readonly vmOnly: boolean } {
  const vmOnly = limits.vmOnly === true;
  return { defaultKind: vmOnly ? "vm" : (limits.defaultKind ?? "container"), vmOnly };
}

/** The actor's limits as stored, or the configured defaults for someone not seen yet. */
function storedLimits(context: CoreContext, actor: Actor): UserLimits {
  return context.repos.users.get(actor.userId)?.limits ?? context.deps.policy.defaultLimits;
}

/**
 * Returns `input` with its kind decided for `actor`: unchanged when it names a kind the user
 * may have, turned into VM input when it names none and the user's default is `vm`.
 * Throws `InvalidInputError` for a container asked by a VM-only user, and for container-only
 * details (modules, remote access) in a request that became a VM.
 */
export function decideKind(
  context: CoreContext,
  actor: Actor,
  input: ContainerSpecInput | VmSpecInput,
): ContainerSpecInput | VmSpecInput {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (kind === "vm") return input;
  const { defaultKind, vmOnly } = kindPolicy(storedLimits(context, actor));
  if (kind === "container" && vmOnly) {
    throw new InvalidInputError([
      {
        path: "kind",
        message:
          "An administrator set your account to VMs only, so containers are not available to you; ask for a VM instead (nothing was created).",
      },
    ]);
  }
  if (kind !== undefined || defaultKind === "container") return input;
  return asVmInput(input as ContainerSpecInput, vmOnly);
}

// A request shaped as a container's (what chat, the CLI without --vm and the API send when
// nobody said which kind) read as a VM's: CPUs, memory and the workspace size carry over;
// modules do not exist in VMs yet, so they are refused rather than silently dropped.
function asVmInput(input: ContainerSpecInput, vmOnly: boolean): VmSpecInput | ContainerSpecInput {
  const parsed = containerSpecInputSchema.safeParse(input);
  // Malformed input stays as it is: validation then names what is wrong with it.
  if (!parsed.success) return input;
  const raw = parsed.data;
  const containerOnly = [
    ...raw.modules,
    ...Object.keys(raw.moduleOptions),
    ...(raw.remoteAccess === true ? ["remote access"] : []),
  ];
  if (containerOnly.length > 0) {
    const alternative = vmOnly
      ? "install what you need inside the VM instead"
      : 'install what you need inside the VM, or ask for a container explicitly ("a container called … with …")';
    throw new InvalidInputError([
      {
        path: "modules",
        message: `Your workloads are VMs by default (an administrator set this), and VMs take no modules yet (asked for ${[...new Set(containerOnly)].join(", ")}); ${alternative}. Nothing was created.`,
      },
    ]);
  }
  return {
    kind: "vm",
    name: raw.name,
    ...(raw.resources.cpus !== undefined ? { cpus: raw.resources.cpus } : {}),
    ...(raw.resources.memory !== undefined ? { memory: raw.resources.memory } : {}),
    ...(raw.workspace.size !== undefined ? { workspace: raw.workspace.size } : {}),
  };
}
