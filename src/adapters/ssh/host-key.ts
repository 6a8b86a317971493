/**
 * The gateway's host key: generated once (Ed25519, OpenSSH format) into the state directory
 * with mode 0600 and reused on every start, so clients' known_hosts stay valid. A key file
 * others can read is refused rather than used: anyone who has it can impersonate the gateway.
 *
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";
import { sshFingerprint } from "../../domain/ssh-keys.js";

/** The loaded host key. */
export interface HostKey {
  readonly file: string;
  /** The private key (OpenSSH format), for the server only. */
  readonly privateKey: Buffer;
  /** `ssh-ed25519 AAAA…`, for a known_hosts line. */
  readonly publicKey: string;
  readonly fingerprint: string;
  /** True when this start generated it. */
  readonly generated: boolean;
}

/** The default place of the host key. */
export function defaultHostKeyFile(stateDir: string): string {
  return path.join(stateDir, "ssh", "host_ed25519_key");
}

/** Loads the host key from `file`, generating it first when there is none. Throws with a plain message when it is unusable. */
export function loadOrCreateHostKey(file: string): HostKey {
  let generated = false;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new Error(`Cannot read the SSH host key ${file}: ${(error as Error).message}`);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    try {
      // `wx`: two gateways starting at once never overwrite each other's key.
      writeFileSync(file, pair.private, { mode: 0o600, flag: "wx" });
      generated = true;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
    }
    text = readFileSync(file, "utf8");
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `The SSH host key ${file} is readable by others (mode ${mode.toString(8)}); run \`chmod 600 ${file}\` (and consider replacing it).`,
    );
  }
  if (generated) chmodSync(file, 0o600);
  const key = ssh2.utils.parseKey(text);
  if (key instanceof Error || !key.isPrivateKey())
    throw new Error(`The SSH host key ${file} is not a private key ssh2 can use.`);
  const blob = key.getPublicSSH();
  return {
    file,
    privateKey: Buffer.from(text),
    publicKey: `${key.type} ${blob.toString("base64")}`,
    fingerprint: sshFingerprint(blob),
    generated,
  };
}
