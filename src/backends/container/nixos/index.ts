// Placeholder so the tree type-checks while this backend is being written; its owner replaces this file.
import type { BackendDeps } from "../../deps.js";
import type { ContainerBackend } from "../../../ports/container-backend.js";
export function createNixosBackend(_deps: BackendDeps): ContainerBackend {
  throw new Error("createNixosBackend: placeholder, replaced by the real implementation");
}
