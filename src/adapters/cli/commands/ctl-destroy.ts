/**
 * `voxnix ctl destroy <name>` (exit 4 with the plan and a token, or, with `--yes`, confirmed
 * and carried out), `voxnix ctl confirm <token>` and `voxnix ctl restore <name>`.
 *
 * @module
 */
import { isChangeResult, type DestroyResult, type JobHandle } from "../../../core/api.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { followJob } from "../follow-job.js";
import { commandGroup } from "../groups.js";
import { renderConfirmation } from "../plan-views.js";
import { renderChangeResult, renderDestroyResult, renderWorkloadLine } from "../views.js";

/** Registers `voxnix ctl destroy`, `confirm` and `restore`. */
export const register: RegisterCommand = (program, context) => {
  const ctl = commandGroup(program, "ctl");
  ctl
    .command("destroy")
    .description("Destroy a workload: prints the plan and a confirmation token (exit 4); --yes confirms at once")
    .argument("<name>", "workload name")
    .action(async (name: string) => {
      const { actor, dryRun, yes } = context.globals();
      const { core } = await context.app();
      if (dryRun) {
        context.planned(await core.plan(actor, { operation: "destroy", name }));
        return;
      }
      const confirmation = await core.destroy(actor, name);
      if (!yes) {
        context.needsConfirmation(confirmation);
        return;
      }
      if (!context.globals().json) for (const line of renderConfirmation(confirmation, false)) context.warn(line);
      await finishDestroy(context, await core.confirm(actor, confirmation.token), confirmation.plan.workload);
    });

  ctl
    .command("confirm")
    .description(
      "Carry out a destroy or change plan with the token `ctl destroy` or `ctl set` printed (only the same user can)",
    )
    .argument("<token>", "the confirmation token")
    .action(async (token: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      // The core checks the token as a real confirmation would, and does not use it.
      if (dryRun) return context.planned(await core.plan(actor, { operation: "confirm", token }));
      const handle = await core.confirm(actor, token);
      // The token may confirm a change rather than a destroy; its job says which when it ends.
      const result = await followJob(context, handle, "Carrying out the confirmed plan", (value) =>
        isChangeResult(value) ? `${value.workload} changed` : `${value.workload} destroyed`,
      );
      context.output(result, (value) =>
        isChangeResult(value) ? renderChangeResult(value) : renderDestroyResult(value),
      );
    });

  ctl
    .command("restore")
    .description("Bring back a destroyed workload from its snapshot, within the undo window")
    .argument("<name>", "workload name")
    .action(async (name: string) => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      if (dryRun) {
        context.planned(await core.plan(actor, { operation: "restore", name }));
        return;
      }
      const handle = await core.restore(actor, name);
      const workload = await followJob(
        context,
        handle,
        `Restoring ${name}`,
        (result) => `${result.name} is ${result.live}`,
      );
      context.output(workload, (value) => renderWorkloadLine(value, "restored"));
    });
};

async function finishDestroy(context: CliContext, handle: JobHandle<DestroyResult>, label: string): Promise<void> {
  const result = await followJob(context, handle, `Destroying ${label}`, (value) => `${value.workload} destroyed`);
  context.output(result, renderDestroyResult);
}
