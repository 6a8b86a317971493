/**
 * A remote-access provider that writes no files: it records which per-container key files
 * would exist. `available` mirrors whether an admin configured a key.
 *
 * @module
 */
import type { DoctorCheck } from "../../src/ports/runtime.js";
import type { RemoteAccessProvider } from "../../src/ports/remote-access.js";
import { FailureInjector } from "./fake-failures.js";

/** Methods whose calls can be failed. */
export type RemoteAccessMethod = "prepareKeyFile" | "removeKeyFile" | "doctor";

/** The fake provider. `keyFiles` holds the workloads that currently have a key file. */
export class FakeRemoteAccess implements RemoteAccessProvider {
  readonly injector = new FailureInjector<RemoteAccessMethod>();
  readonly keyFiles = new Set<string>();
  configured: boolean;

  constructor(options: { readonly configured?: boolean } = {}) {
    this.configured = options.configured ?? true;
  }

  get calls() {
    return this.injector.calls;
  }

  /** Makes the next call of `method` throw `error`. */
  failNext(method: RemoteAccessMethod, error: Error): void {
    this.injector.failNext(method, error);
  }

  available(): boolean {
    return this.configured;
  }

  async prepareKeyFile(workload: string): Promise<{ readonly path: string }> {
    await this.injector.enter("prepareKeyFile", [workload]);
    if (!this.configured) throw new Error("FakeRemoteAccess: no key configured");
    this.keyFiles.add(workload);
    return { path: `/fake/keys/${workload}.key` };
  }

  async removeKeyFile(workload: string): Promise<void> {
    await this.injector.enter("removeKeyFile", [workload]);
    this.keyFiles.delete(workload);
  }

  async doctor(): Promise<readonly DoctorCheck[]> {
    await this.injector.enter("doctor", []);
    return [
      {
        name: "tailscale-key",
        ok: this.configured,
        detail: this.configured ? "A key is configured." : "No key is configured.",
      },
    ];
  }
}
