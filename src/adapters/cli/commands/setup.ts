/**
 * `voxnix setup`: prepares this machine for the nspawn backend. Placeholder; its owner (the nspawn engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix setup`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("setup")
    .description("Prepare this machine to run containers (host packages, bridge, storage, base image)")
    .action(() => notAvailable(context, "voxnix setup"));
};
