// Placeholder so the tree type-checks while this backend is being written; its owner replaces this file.
import type { BackendDeps } from "../deps.js";
import type { ModuleCatalog } from "../../domain/catalog.js";
export function loadModuleCatalog(_deps: BackendDeps): ModuleCatalog {
  throw new Error("loadModuleCatalog: placeholder, replaced by the real implementation");
}
