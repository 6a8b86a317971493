/**
 * `voxnix images build`: builds the backend's images. Placeholder; its owner (the nspawn engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix images build`. */
export const register: RegisterCommand = (program, context) => {
  commandGroup(program, "images")
    .command("build")
    .description("Build (or rebuild) the backend's images so later creates are fast")
    .action(() => notAvailable(context, "voxnix images build"));
};
