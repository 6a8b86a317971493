// Placeholder so the tree type-checks while this backend is being written; its owner replaces this file.
import type { BackendDeps } from "../../deps.js";
import type { StorageDriver } from "../../../ports/storage-driver.js";
export function createZfsStorage(_deps: BackendDeps): StorageDriver {
  throw new Error("createZfsStorage: placeholder, replaced by the real implementation");
}
