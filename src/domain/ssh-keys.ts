/**
 * SSH public keys as people paste them (`ssh-ed25519 AAAA… laptop`): parsing, validation and
 * the SHA-256 fingerprint OpenSSH shows. A key is the only identity the SSH gateway accepts,
 * so only well-formed, current key types are let in: Ed25519, ECDSA (NIST P-256/384/521) and
 * RSA of at least 2048 bits. The key blob is decoded and checked field by field (its type
 * inside must match the type outside, lengths must be exact, nothing may trail), so a line
 * that merely looks like a key is refused before anything is stored. A private key pasted by
 * mistake is recognised and refused with a warning, and its text is never echoed back.
 *
 * Pure: no I/O (hashing only).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Key types the gateway accepts. */
export const SSH_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;
export type SshKeyAlgorithm = (typeof SSH_KEY_ALGORITHMS)[number];

/** Bounds: a 16384-bit RSA key line is about 2.8 kB; anything far longer is not a key. */
export const SSH_KEY_LIMITS = {
  maxLineLength: 8192,
  maxCommentLength: 100,
  minRsaBits: 2048,
  maxRsaBits: 16384,
} as const;

/** A validated public key. */
export interface SshPublicKey {
  readonly algorithm: SshKeyAlgorithm;
  /** The decoded key blob (SSH wire format). */
  readonly blob: Buffer;
  /** `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  readonly bits: number;
  /** The comment after the key, if any (printable ASCII only). */
  readonly comment?: string;
}

/** Why a line is not an acceptable key; the message is meant for the person who sent it. */
export type SshKeyParseResult =
  { readonly ok: true; readonly key: SshPublicKey } | { readonly ok: false; readonly message: string };

const EXAMPLE =
  "Send one public key line, like `ssh-ed25519 AAAAC3Nza… you@laptop` (the contents of ~/.ssh/id_ed25519.pub).";

/** The fingerprint of a key blob, in OpenSSH's `SHA256:…` form. */
export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** True for text shaped like a fingerprint (what `remove` takes). */
export function isSshFingerprint(value: unknown): value is string {
  return typeof value === "string" && /^SHA256:[A-Za-z0-9+/]{43}$/.test(value);
}

/** Parses one public key line. Never throws; never includes the input in its message. */
export function parseSshPublicKey(input: unknown): SshKeyParseResult {
  if (typeof input !== "string") return fail(EXAMPLE);
  const text = input.replace(/^\uFEFF/, "").trim();
  if (text === "") return fail(EXAMPLE);
  if (/PRIVATE KEY|^-----BEGIN|^PuTTY-User-Key-File/.test(text)) {
    return fail(
      "That is a private key: never share it (treat it as compromised if you sent it anywhere). Send the public key, the .pub file, instead.",
    );
  }
  if (text.length > SSH_KEY_LIMITS.maxLineLength)
    return fail(`That is too long for a public key (at most ${SSH_KEY_LIMITS.maxLineLength} characters). ${EXAMPLE}`);
  if (/[\r\n]/.test(text)) return fail(`Send exactly one key (one line). ${EXAMPLE}`);
  const [type = "", data = "", ...rest] = text.split(/[ \t]+/);
  if (!(SSH_KEY_ALGORITHMS as readonly string[]).includes(type)) {
    if (type.startsWith("ssh-dss"))
      return fail(
        "DSA keys are no longer safe and are not accepted; create an Ed25519 key with `ssh-keygen -t ed25519`.",
      );
    if (type.startsWith("sk-"))
      return fail("Security-key (FIDO) SSH keys are not supported yet; use an Ed25519 key (`ssh-keygen -t ed25519`).");
    return fail(`Supported key types are ${SSH_KEY_ALGORITHMS.join(", ")}. ${EXAMPLE}`);
  }
  const algorithm = type as SshKeyAlgorithm;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0)
    return fail(`The key data is not valid base64. ${EXAMPLE}`);
  const blob = Buffer.from(data, "base64");
  const comment = rest.join(" ");
  if (comment.length > SSH_KEY_LIMITS.maxCommentLength)
    return fail(`The key's comment is too long (at most ${SSH_KEY_LIMITS.maxCommentLength} characters).`);
  if (!/^[\x20-\x7e]*$/.test(comment)) return fail("The key's comment may only contain printable ASCII characters.");
  const bits = checkBlob(algorithm, blob);
  if (typeof bits === "string") return fail(bits);
  return {
    ok: true,
    key: { algorithm, blob, fingerprint: sshFingerprint(blob), bits, ...(comment === "" ? {} : { comment }) },
  };
}

/** The one-line form stored and shown: `type base64`, without the comment. */
export function formatSshPublicKey(key: Pick<SshPublicKey, "algorithm" | "blob">): string {
  return `${key.algorithm} ${key.blob.toString("base64")}`;
}

function fail(message: string): SshKeyParseResult {
  return { ok: false, message };
}

/** A bounds-checked reader of SSH wire-format strings. */
class WireReader {
  #offset = 0;
  constructor(private readonly buffer: Buffer) {}
  string(): Buffer | undefined {
    if (this.#offset + 4 > this.buffer.length) return undefined;
    const length = this.buffer.readUInt32BE(this.#offset);
    const start = this.#offset + 4;
    if (length > this.buffer.length - start) return undefined;
    this.#offset = start + length;
    return this.buffer.subarray(start, start + length);
  }
  get done(): boolean {
    return this.#offset === this.buffer.length;
  }
}

const CURVES: Readonly<
  Record<string, { readonly curve: string; readonly pointLength: number; readonly bits: number }>
> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", pointLength: 65, bits: 256 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", pointLength: 97, bits: 384 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", pointLength: 133, bits: 521 },
};

/** The key size in bits, or why the blob is not a valid key of `algorithm`. */
function checkBlob(algorithm: SshKeyAlgorithm, blob: Buffer): number | string {
  const broken = `The key data is damaged or not a ${algorithm} key. ${EXAMPLE}`;
  const reader = new WireReader(blob);
  const inner = reader.string();
  if (inner === undefined || inner.toString("latin1") !== algorithm)
    return `The key data does not match its type ${algorithm}. ${EXAMPLE}`;
  if (algorithm === "ssh-ed25519") {
    const point = reader.string();
    return point?.length === 32 && reader.done ? 256 : broken;
  }
  if (algorithm === "ssh-rsa") {
    const exponent = reader.string();
    const modulus = reader.string();
    if (exponent === undefined || modulus === undefined || !reader.done) return broken;
    const e = stripZeros(exponent);
    const n = stripZeros(modulus);
    if (e.length === 0 || e.length > 8 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) return broken;
    const bits = n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
    if (bits < SSH_KEY_LIMITS.minRsaBits)
      return `RSA keys must have at least ${SSH_KEY_LIMITS.minRsaBits} bits (this one has ${bits}); create an Ed25519 key with \`ssh-keygen -t ed25519\`.`;
    if (bits > SSH_KEY_LIMITS.maxRsaBits) return `RSA keys may have at most ${SSH_KEY_LIMITS.maxRsaBits} bits.`;
    return bits;
  }
  const curve = CURVES[algorithm]!;
  const name = reader.string();
  const point = reader.string();
  if (
    name?.toString("latin1") !== curve.curve ||
    point?.length !== curve.pointLength ||
    point[0] !== 0x04 ||
    !reader.done
  )
    return broken;
  return curve.bits;
}

function stripZeros(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length && value[start] === 0) start += 1;
  return value.subarray(start);
}
