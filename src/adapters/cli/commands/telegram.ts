/**
 * `voxnix telegram`: runs the Telegram bot. Placeholder; its owner (the Telegram engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix telegram`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("telegram")
    .description("Run the Telegram bot (polling or webhook, from the configuration)")
    .action(() => notAvailable(context, "voxnix telegram"));
};
