/**
 * `voxnix ctl start|stop|restart <name>`. With `--dry-run` the core checks everything the
 * real call would (yours, its state) and says what would happen, changing nothing.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { commandGroup } from "../groups.js";
import { renderWorkloadLine } from "../views.js";

const VERBS = [
  { command: "start", description: "Start a stopped workload", done: "started" },
  { command: "stop", description: "Stop a workload (clean shutdown, then kill after a timeout)", done: "stopped" },
  { command: "restart", description: "Stop and start a workload", done: "restarted" },
] as const;

/** Registers `voxnix ctl start`, `stop` and `restart`. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  for (const verb of VERBS) {
    ctl
      .command(verb.command)
      .description(verb.description)
      .argument("<name>", "workload name")
      .action(async (name: string) => {
        const { actor, dryRun } = context.globals();
        const { core } = await context.app();
        if (dryRun) {
          context.planned(await core.plan(actor, { operation: verb.command, name }));
          return;
        }
        const workload = await core[verb.command](actor, name);
        context.output(workload, (value) => renderWorkloadLine(value, verb.done));
      });
  }
};
