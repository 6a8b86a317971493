// Placeholder so the tree type-checks while this backend is being written; its owner replaces this file.
import type { BackendDeps } from "../../deps.js";
import type { ContainerBackend } from "../../../ports/container-backend.js";
export function createNspawnBackend(_deps: BackendDeps): ContainerBackend {
  throw new Error("createNspawnBackend: placeholder, replaced by the real implementation");
}
