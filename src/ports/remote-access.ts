/**
 * The network port for private remote access (Tailscale). The core asks for a per-container
 * auth key *file* (never the key itself) and for a best-effort logout before destroy.
 *
 * @module
 */
import type { DoctorCheck } from "./runtime.js";

export interface RemoteAccessProvider {
  /** True when an admin configured a key, so containers with remote access can be created. */
  available(): boolean;
  /**
   * Writes a per-container copy of the admin's auth key to a private host file (0400) and
   * returns its path, for a read-only bind mount. The key never enters the Nix store or logs.
   */
  prepareKeyFile(workload: string): Promise<{ readonly path: string }>;
  /** Removes the per-container key file. */
  removeKeyFile(workload: string): Promise<void>;
  doctor(): Promise<readonly DoctorCheck[]>;
}
