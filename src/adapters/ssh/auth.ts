/**
 * Who an SSH client is: public-key authentication only, and the identity is the key's
 * registered owner, never the user name the client sent (that only names the workload). A
 * key is accepted when the core knows it and, once the client proves possession, when the
 * signature over the session data verifies. Passwords, keyboard-interactive and host-based
 * methods are always refused, so there is nothing to guess.
 *
 * @module
 */
import ssh2 from "ssh2";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";

/** What the client offered, as ssh2 reports it (only the fields used). */
export interface AuthAttempt {
  readonly method: string;
  readonly key?: { readonly data: Buffer };
  readonly signature?: Buffer | undefined;
  readonly blob?: Buffer | undefined;
  readonly hashAlgo?: string | undefined;
}

/**
 * - `accept` with the owner: the key is registered and either this is the client's "would you
 *   take this key?" query or its signature verified;
 * - `reject`: anything else (unknown key, bad signature, any other method).
 */
export type AuthDecision =
  | { readonly kind: "accept"; readonly actor: Actor; readonly verified: boolean }
  | { readonly kind: "reject"; readonly reason: "method" | "unknown-key" | "bad-signature" };

/** Decides one authentication attempt. */
export function decideAuth(core: Pick<Core, "authenticateSshKey">, attempt: AuthAttempt): AuthDecision {
  if (attempt.method !== "publickey" || !attempt.key) return { kind: "reject", reason: "method" };
  const actor = core.authenticateSshKey(attempt.key.data);
  if (!actor) return { kind: "reject", reason: "unknown-key" };
  if (attempt.signature === undefined) return { kind: "accept", actor, verified: false };
  if (
    attempt.blob === undefined ||
    !verifySignature(attempt.key.data, attempt.blob, attempt.signature, attempt.hashAlgo)
  )
    return { kind: "reject", reason: "bad-signature" };
  return { kind: "accept", actor, verified: true };
}

/** Verifies `signature` over `data` with the public key `keyBlob` (SSH wire format). */
export function verifySignature(
  keyBlob: Buffer,
  data: Buffer,
  signature: Buffer,
  hashAlgo: string | undefined,
): boolean {
  const type = keyType(keyBlob);
  if (type === undefined) return false;
  const key = ssh2.utils.parseKey(`${type} ${keyBlob.toString("base64")}`);
  if (key instanceof Error) return false;
  try {
    return key.verify(data, signature, hashAlgo) === true;
  } catch {
    return false;
  }
}

/** The key type named inside a wire-format blob (`ssh-ed25519`, `ssh-rsa`, …). */
function keyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = blob.subarray(4, 4 + length).toString("latin1");
  return /^[a-z0-9@.-]+$/.test(type) ? type : undefined;
}
