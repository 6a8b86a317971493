/**
 * `voxnix chat`: an interactive chat in the terminal. Placeholder; its owner (the agent engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix chat`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("chat")
    .description("Talk to your infrastructure in the terminal")
    .action(() => notAvailable(context, "voxnix chat"));
};
