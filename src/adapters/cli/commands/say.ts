/**
 * `voxnix say <message>`: one chat message through the pipeline. Placeholder; its owner (the agent engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix say`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("say")
    .description("Send one message to voxnix as if chatting, and print the reply")
    .argument("<message...>", "what to say")
    .action(() => notAvailable(context, "voxnix say"));
};
