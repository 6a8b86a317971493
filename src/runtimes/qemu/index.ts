/**
 * The QEMU VM runtime (docs/vms.md).
 *
 * @module
 */
export { createQemuRuntime, type QemuRuntime, type VmHostContext, type VmRecord } from "./runtime.js";
export { resolveQemuPaths, vmPaths, type QemuPaths, type VmPaths } from "./paths.js";
export { qemuArgs, type Accelerator } from "./qemu-argv.js";
export { currentImage, buildBaseImage, type BaseImage } from "./image.js";
