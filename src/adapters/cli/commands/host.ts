/**
 * Host commands for admins: `voxnix doctor` (every prerequisite with its fix; exit 0 only
 * when the backend can run containers) and `voxnix ctl reconcile`.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { commandGroup } from "../groups.js";
import { renderDoctor, renderReconcile } from "../views.js";

/** Registers `voxnix doctor` and `voxnix ctl reconcile`. */
export const register: RegisterCommand = (program, context) => {
  program
    .command("doctor")
    .description("Check that this host can run containers with the configured backend; prints each fix")
    .action(async () => {
      const { core } = await context.app();
      const report = await core.doctor(context.globals().actor);
      context.output(report, renderDoctor);
      if (!report.ok) context.setExitCode(EXIT.failed);
    });

  commandGroup(program, "ctl")
    .command("reconcile")
    .description(
      "Compare recorded workloads with the host: finish or roll back interrupted work, mark missing ones (admins)",
    )
    .action(async () => {
      const { actor, dryRun } = context.globals();
      const { core } = await context.app();
      // The core's dry run: admins only, like the real reconcile.
      if (dryRun) return context.planned(await core.plan(actor, { operation: "reconcile" }));
      context.output(await core.reconcile(actor), renderReconcile);
    });
};
