/**
 * The microvm runtime: VMs on the NixOS appliance through microvm.nix (docs/vms.md).
 *
 * @module
 */
export {
  createMicrovmRuntime,
  parseActiveStates,
  RUNNER_ENTRY,
  type MicrovmRecord,
  type MicrovmRuntime,
} from "./runtime.js";
export { microvmVmPaths, resolveMicrovmPaths, unitOf, type MicrovmPaths, type MicrovmVmPaths } from "./paths.js";
export { microvmSpecFile, type MicrovmSpecFile } from "./vm-spec-file.js";
