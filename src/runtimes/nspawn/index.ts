/**
 * The portable nspawn backend: Debian containers booted with systemd-nspawn on any Linux,
 * roots as btrfs snapshots of a debootstrapped base image, a private bridge network and
 * supervised processes (no host systemd needed). See docs/nspawn.md.
 *
 * @module
 */
export { createNspawnRuntime, NSPAWN_MODULES, type NspawnRuntime } from "./backend.js";
export { nspawnPaths, machinePaths, interfaceNames, type NspawnPaths } from "./paths.js";
export { removeBridge, parseSubnet } from "./network.js";
