/**
 * The guest SSH helpers live in `src/host/guest-ssh.ts`, shared with the microvm runtime
 * (runtimes never import each other); re-exported here for the QEMU runtime's modules.
 *
 * @module
 */
export * from "../../host/guest-ssh.js";
