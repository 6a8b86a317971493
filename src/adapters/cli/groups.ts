/**
 * Shared command groups (`voxnix ctl …`, `voxnix users …`, `voxnix images …`, `voxnix web …`): several
 * command modules add subcommands to one group, so the group is created once, on first use.
 *
 * @module
 */
import type { Command } from "commander";

/** The groups and their one-line descriptions. */
export const COMMAND_GROUPS = {
  ctl: "Manage workloads (containers): create, start, stop, show, destroy, …",
  users: "Manage users: approve, deny, set limits (admins)",
  images: "Build the backend's container images (admins)",
  web: "The web dashboard: login links",
} as const;

export type CommandGroupName = keyof typeof COMMAND_GROUPS;

/** Returns the group command `name` on `program`, creating it on first use. */
export function commandGroup(program: Command, name: CommandGroupName): Command {
  const existing = program.commands.find((command) => command.name() === name);
  if (existing) return existing;
  return program.command(name).description(COMMAND_GROUPS[name]);
}
