/**
 * Cloud-init settings for a clone, as the Proxmox API wants them. `sshkeys` is special: the
 * API URL-decodes it before validating it (`URI::Escape::uri_unescape` then
 * `PVE::Tools::validate_ssh_public_keys` in qemu-server's `PVE/API2/Qemu.pm`, `update_vm`), so
 * the newline-separated keys are percent-encoded once here and then form-encoded again on the
 * wire, as the web UI does. Everything but RFC 3986 unreserved characters is encoded, matching
 * `uri_escape`; `encodeURIComponent` alone would leave `'()*!` as they are.
 *
 * @module
 */

/** Encodes public key lines for the `sshkeys` option. */
export function encodeSshKeys(keys: readonly string[]): string {
  return encodeURIComponent(keys.join("\n")).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Decodes an `sshkeys` value (what Proxmox does on receipt); used by the fake server and tests. */
export function decodeSshKeys(value: string): string[] {
  return decodeURIComponent(value)
    .split("\n")
    .filter((line) => line.length > 0);
}
