/**
 * `voxnix ctl start|stop|restart <name>`. With `--dry-run` each checks that the workload is
 * yours and says what would happen, changing nothing.
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
          const current = await core.show(actor, name);
          context.output({ dryRun: true, operation: verb.command, workload: current.name, live: current.live }, () => [`Dry run: would ${verb.command} ${current.name} (live: ${current.live}); nothing was changed.`]);
          return;
        }
        const workload = await core[verb.command](actor, name);
        context.output(workload, (value) => renderWorkloadLine(value, verb.done));
      });
  }
};
