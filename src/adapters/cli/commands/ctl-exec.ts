/**
 * `voxnix ctl exec <name> -- cmd…` and `voxnix ctl shell <name>`. Placeholder; its owner (the nspawn engineer) replaces this file.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { notAvailable } from "../placeholder.js";

/** Registers `voxnix ctl exec` and `voxnix ctl shell`. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  ctl
    .command("exec")
    .description("Run a command inside a workload")
    .argument("<name>", "workload name")
    .argument("<command...>", "the command and its arguments (after --)")
    .action(() => notAvailable(context, "voxnix ctl exec"));
  ctl
    .command("shell")
    .description("Open an interactive shell inside a workload")
    .argument("<name>", "workload name")
    .action(() => notAvailable(context, "voxnix ctl shell"));
};
