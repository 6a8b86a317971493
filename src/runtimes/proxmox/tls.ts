/**
 * How voxnix trusts a Proxmox VE API endpoint. Proxmox installs a self-signed cluster CA
 * (`/etc/pve/pve-root-ca.pem`) and a node certificate signed by it, so the platform's default
 * trust store refuses it (`DEPTH_ZERO_SELF_SIGNED_CERT` / `SELF_SIGNED_CERT_IN_CHAIN`).
 * Verification is never switched off; instead the admin either pins that CA (`proxmox.tls.caFile`:
 * full chain and host-name verification against it) or pins the node certificate's SHA-256
 * fingerprint (`proxmox.tls.fingerprint`, as the web UI's "Certificates" panel and `pvenode cert
 * info` show it). With a fingerprint, the connection is checked right after the handshake and
 * before the first byte of the request is written, so a wrong certificate never sees the token.
 *
 * @module
 */
import type { TLSSocket } from "node:tls";
import { Agent, buildConnector } from "undici";
import { normaliseFingerprint } from "./fingerprint.js";

/** What the client trusts: the system CAs, a pinned CA bundle, or one certificate fingerprint. */
export type TlsTrust =
  | { readonly kind: "system" }
  | { readonly kind: "ca"; readonly caPem: string }
  | { readonly kind: "fingerprint"; readonly sha256: string };

/** The certificate the server showed does not have the pinned fingerprint. */
export class FingerprintMismatchError extends Error {
  override readonly name = "FingerprintMismatchError";
  readonly code = "VOXNIX_FINGERPRINT_MISMATCH";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the server's certificate has SHA-256 fingerprint ${actual}, not the pinned ${expected}`);
  }
}

/** An undici dispatcher that enforces `trust` on every connection. */
export function createTrustingDispatcher(trust: TlsTrust, connectTimeoutMs: number): Agent {
  switch (trust.kind) {
    case "system":
      return new Agent({ connect: { timeout: connectTimeoutMs } });
    case "ca":
      // Only this CA: a certificate from a public CA for the same name is refused too.
      return new Agent({ connect: { ca: trust.caPem, rejectUnauthorized: true, timeout: connectTimeoutMs } });
    case "fingerprint": {
      const expected = normaliseFingerprint(trust.sha256);
      if (expected === undefined) throw new Error("proxmox.tls.fingerprint is not a SHA-256 fingerprint");
      // The chain is not checked (the certificate is self-signed by design); the pin replaces it.
      // No TLS session resumption: a resumed session shows no peer certificate to compare.
      const base = buildConnector({ rejectUnauthorized: false, timeout: connectTimeoutMs, maxCachedSessions: 0 });
      const pinned: buildConnector.connector = (options, callback) => {
        base(options, (error, socket) => {
          if (error !== null) return callback(error, null);
          const actual =
            normaliseFingerprint((socket as TLSSocket).getPeerCertificate?.().fingerprint256 ?? "") ?? "(none)";
          if (actual !== expected) {
            socket.destroy();
            return callback(new FingerprintMismatchError(expected, actual), null);
          }
          return callback(null, socket);
        });
      };
      return new Agent({ connect: pinned });
    }
  }
}
