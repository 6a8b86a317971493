/**
 * A host's SSH key as an age recipient. An `ssh-ed25519` public key line is itself an age
 * recipient (age's `ssh-ed25519` stanza), but sops and most agenix set-ups list native X25519
 * recipients (`age1…`), which `ssh-to-age` derives: the Ed25519 point is mapped to its
 * Curve25519 (Montgomery) u-coordinate, u = (1 + y) / (1 − y) mod p (RFC 7748 §4.1, the
 * birational map), and the 32 bytes are written in bech32 with the human-readable part `age`
 * (age spec, "The X25519 recipient type"). The map is `ed25519.utils.toMontgomery` from
 * @noble/curves and bech32 is @scure/base (both MIT, audited, no dependencies).
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { bech32 } from "@scure/base";
import { InvalidInputError } from "./errors.js";

/** The Ed25519 public key (32 bytes) inside an `ssh-ed25519 AAAA… [comment]` line. */
export function ed25519KeyOf(line: string): Uint8Array {
  const [type, blob] = line.trim().split(/\s+/);
  const problem = (message: string) => new InvalidInputError([{ path: "hostKey", message }]);
  if (type !== "ssh-ed25519" || blob === undefined)
    throw problem("Only ssh-ed25519 host keys can become age recipients.");
  const wire = Buffer.from(blob, "base64");
  // SSH wire format: string "ssh-ed25519", string key (32 bytes).
  const typeLength = wire.length >= 4 ? wire.readUInt32BE(0) : -1;
  if (
    typeLength !== 11 ||
    wire.subarray(4, 15).toString("latin1") !== "ssh-ed25519" ||
    wire.length !== 4 + 11 + 4 + 32 ||
    wire.readUInt32BE(15) !== 32
  ) {
    throw problem("The ssh-ed25519 key's data is malformed.");
  }
  return new Uint8Array(wire.subarray(19, 51));
}

/** The X25519 age recipient (`age1…`) of an `ssh-ed25519` public key line, as ssh-to-age derives it. */
export function ageRecipientOf(sshEd25519Line: string): string {
  const key = ed25519KeyOf(sshEd25519Line);
  let montgomery: Uint8Array;
  try {
    montgomery = ed25519.utils.toMontgomery(key);
  } catch {
    throw new InvalidInputError([{ path: "hostKey", message: "The ssh-ed25519 key is not a valid curve point." }]);
  }
  return bech32.encode("age", bech32.toWords(montgomery), false);
}
