/**
 * `hostKey`: a VM's SSH host public keys, for re-keying secrets (agenix, sops) to it. The
 * QEMU runtime generates the guest's host key before first boot and pins it, so the key is
 * known without asking the guest (whose root could lie). Each key comes with its fingerprint
 * and its age recipient: ssh-ed25519 and ssh-rsa keys are age recipients as they are, and an
 * ssh-ed25519 key also gets its native `age1…` form (what ssh-to-age prints, for sops-nix and
 * `.sops.yaml` files that list X25519 recipients).
 * Owner-scoped like `show`: another user's VM is "not found".
 *
 * @module
 */
import { ageRecipientOf } from "../../domain/age-recipient.js";
import { HostFailureError, InvalidInputError } from "../../domain/errors.js";
import type { Actor } from "../../domain/identity.js";
import { formatSshPublicKey, parseSshPublicKey } from "../../domain/ssh-keys.js";
import type { HostKeyReport, HostKeyView } from "../api.js";
import { validateName } from "../inputs.js";
import { runOperation } from "../run-operation.js";
import { runtimeForWorkload } from "../runtime-registry.js";
import type { CoreServices } from "../services.js";

/** Key types age encrypts to directly (its `ssh-ed25519` and `ssh-rsa` recipient types). */
const AGE_SSH_TYPES: ReadonlySet<string> = new Set(["ssh-ed25519", "ssh-rsa"]);

/** Shows the host keys of the actor's VM `name`. */
export function showHostKey(services: CoreServices, actor: Actor, name: string): Promise<HostKeyReport> {
  const { context } = services;
  return runOperation(services, {
    operation: "hostKey",
    actor,
    args: { name },
    validate: () => validateName(name),
    target: (validName) => validName,
    run: async ({ workload }) => {
      const record = workload!;
      const runtime = runtimeForWorkload(context.deps.runtimes, record);
      if (record.spec.kind !== "vm" || runtime.hostKeys === undefined) {
        throw new InvalidInputError([
          {
            path: "name",
            message: `"${record.name}" is a ${record.spec.kind} on the ${runtime.info().name} runtime, which keeps no SSH host key of its own; host keys are for VMs.`,
          },
        ]);
      }
      const lines = await runtime.hostKeys(record.spec.name);
      if (lines === undefined || lines.length === 0) {
        throw new HostFailureError(
          `No host key is recorded for "${record.name}".`,
          `The ${runtime.info().name} runtime returned no host key for ${record.name}.`,
        );
      }
      return { workload: record.name, keys: lines.map((line) => toHostKeyView(record.name, line)) };
    },
  });
}

// The runtime's files are voxnix's own, but the line is parsed like any key before it is shown.
function toHostKeyView(name: string, line: string): HostKeyView {
  const parsed = parseSshPublicKey(line);
  if (!parsed.ok)
    throw new HostFailureError(`The recorded host key of "${name}" is not a valid SSH public key.`, parsed.message);
  const key = formatSshPublicKey(parsed.key);
  return {
    key,
    algorithm: parsed.key.algorithm,
    fingerprint: parsed.key.fingerprint,
    ...(AGE_SSH_TYPES.has(parsed.key.algorithm) ? { ageRecipient: key } : {}),
    ...(parsed.key.algorithm === "ssh-ed25519" ? { nativeAgeRecipient: ageRecipientOf(key) } : {}),
  };
}
