/**
 * SHA-256 certificate fingerprints as Proxmox shows them (`AB:CD:…`, in the web UI's
 * certificate panel and `pvenode cert info`). Kept apart from `tls.ts` so configuration
 * validation can use it without loading the HTTP stack.
 *
 * @module
 */

/** Normalises a SHA-256 fingerprint to upper-case hex pairs joined by colons, or undefined when it is not one. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/:/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(":");
}
