// Placeholder so the tree type-checks while this backend is being written; its owner replaces this file.
import type { BackendDeps } from "../../deps.js";
import type { RemoteAccessProvider } from "../../../ports/remote-access.js";
export function createTailscaleRemoteAccess(_deps: BackendDeps): RemoteAccessProvider | undefined {
  throw new Error("createTailscaleRemoteAccess: placeholder, replaced by the real implementation");
}
