/**
 * The Proxmox VE runtime for VMs (see `runtime.ts`), its settings and its client.
 *
 * @module
 */
export {
  createProxmoxRuntime,
  type LiveVm,
  type ProxmoxRuntime,
  type ProxmoxRuntimeDeps,
  type VmManagement,
} from "./runtime.js";
export { proxmoxSettings, type ProxmoxSettings } from "./settings.js";
export type { VmSpec } from "../../domain/vm-spec.js";
