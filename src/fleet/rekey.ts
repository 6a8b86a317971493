/**
 * Re-keying a host whose SSH host key changed (a reinstall, a restored VM): what `sops
 * updatekeys` and `agenix -r` do for their files, done with the same `age` steps as the fleet
 * steps. The host's key is read again at its pinned address; an unchanged key changes nothing.
 * A changed key is never trusted on its own word: the admin must name the new key's SHA-256
 * fingerprint (`--accept`, read from the VM's console or `ssh-keygen -lf` on the host), and a
 * fingerprint that does not match refuses with both fingerprints and changes nothing. Then the
 * new key is pinned (replacing the old one, whose age recipient so drops out) and every secrets
 * file the host's entry lists is re-encrypted for the admin's recipients plus every pinned host
 * that lists it.
 *
 * @module
 */
import { ConflictError, HostFailureError, NotFoundError } from "../domain/errors.js";
import { ageRecipientOf } from "../domain/age-recipient.js";
import type { CommandRunner } from "../ports/command-runner.js";
import {
  fingerprintOf,
  pinHost,
  readPinnedHosts,
  reencryptSecrets,
  scanHostKey,
  type FleetSettings,
} from "./fleet-steps.js";

export interface RekeyReport {
  readonly name: string;
  readonly changed: boolean;
  readonly hostKey: string;
  readonly fingerprint: string;
  readonly ageRecipient: string;
  /** Secrets files re-encrypted (empty when the key was unchanged). */
  readonly reencrypted: readonly string[];
  readonly notes: readonly string[];
}

/** Re-reads `name`'s host key and, when it changed and `accept` is its fingerprint, re-keys its secrets. */
export async function rekeyHost(
  runner: CommandRunner,
  settings: FleetSettings,
  name: string,
  accept?: string,
): Promise<RekeyReport> {
  const pinned = await readPinnedHosts(settings);
  const host = pinned[name];
  if (host === undefined)
    throw new NotFoundError(
      "workload",
      name,
      `No host key is pinned for "${name}"; only VMs made by \`voxnix proxmox apply\` with nixos: true are pinned.`,
    );
  const scanned = await scanHostKey(runner, { ...settings, sshPort: host.port }, host.address);
  if (scanned === undefined)
    throw new HostFailureError(
      "ssh-keyscan is not installed, so the host key cannot be read (Debian: apt install openssh-client).",
    );
  const fingerprint = fingerprintOf(scanned);
  const base = { name, hostKey: scanned, fingerprint, ageRecipient: ageRecipientOf(scanned) };
  if (scanned === host.hostKey)
    return { ...base, changed: false, reencrypted: [], notes: ["the host key is unchanged; nothing to re-key"] };
  if (accept === undefined || normalise(accept) !== normalise(fingerprint)) {
    throw new ConflictError(
      "wrong-state",
      `The host key of ${name} (${host.address}) changed: pinned ${fingerprintOf(host.hostKey)}, the host now shows ${fingerprint}. ${accept === undefined ? "If you reinstalled it, check the new fingerprint on its console and run again with --accept <fingerprint>." : `That is not the fingerprint you accepted (${accept}).`} Nothing was changed.`,
    );
  }
  await pinHost(settings, name, { ...host, hostKey: scanned, ageRecipient: base.ageRecipient });
  let outcome: { reencrypted: readonly string[]; notes: readonly string[] } = { reencrypted: [], notes: [] };
  if (host.secrets.length > 0 && settings.secrets) {
    // The old key's recipient leaves the recipients (sops: .sops.yaml) as the new one joins.
    outcome = await reencryptSecrets(
      runner,
      settings.secrets,
      host.secrets,
      await readPinnedHosts(settings),
      host.ageRecipient === base.ageRecipient ? [] : [host.ageRecipient],
    );
  }
  return { ...base, changed: true, reencrypted: outcome.reencrypted, notes: outcome.notes };
}

function normalise(fingerprint: string): string {
  return fingerprint.trim().replace(/^SHA256:/i, "");
}
