/**
 * `voxnix proxmox plan FILE` and `voxnix proxmox apply FILE` (admins): VM definitions kept as
 * data, planned and applied through the core (see `src/fleet/`). `plan` changes nothing and
 * exits 0 with nothing to do; `apply` creates what the plan says as jobs (progress on stderr),
 * runs the fleet steps for `nixos: true` entries, rolls back its own creates when anything
 * fails, and commits the file and a state summary to `proxmox.fleet.gitRepo` when set.
 *
 * @module
 */
import type { RegisterCommand } from "../context.js";

/** Registers `voxnix proxmox plan|apply`. */
export const register: RegisterCommand = (program, context) => {
  const group = program
    .command("proxmox")
    .description("Proxmox VM definitions as data: plan and apply a definitions file (admins)");

  group
    .command("plan")
    .description("Show what applying a definitions file would create, leave alone or refuse; changes nothing")
    .argument("<file>", "the definitions file (YAML, or Nix: *.nix), e.g. proxmox/vms.yaml")
    .action(async (file: string) => {
      const { readDefinitions } = await import("../../../fleet/definitions.js");
      const { planFor } = await import("../../../fleet/apply.js");
      const { renderDefinitionsPlan } = await import("../../../fleet/plan.js");
      const app = await context.app();
      const definitions = await readDefinitions(file, { runner: app.runner });
      const plan = await planFor(app.core, context.globals().actor, definitions);
      context.output(plan, renderDefinitionsPlan);
    });

  group
    .command("apply")
    .description(
      "Create the VMs a definitions file lists (as jobs, as their owners); a failure rolls back what this apply created",
    )
    .argument("<file>", "the definitions file (YAML, or Nix: *.nix), e.g. proxmox/vms.yaml")
    .action(async (file: string) => {
      const { readDefinitions } = await import("../../../fleet/definitions.js");
      const { applyDefinitions, planFor, ApplyFailedError } = await import("../../../fleet/apply.js");
      const { renderDefinitionsPlan } = await import("../../../fleet/plan.js");
      const { fleetSettingsOf, recordApply, recordImports } = await import("../../../fleet/fleet-app.js");
      const { runFleetSteps } = await import("../../../fleet/fleet-steps.js");
      const { actor, dryRun } = context.globals();
      const app = await context.app();
      const definitions = await readDefinitions(file, { runner: app.runner });
      if (dryRun) {
        context.output({ dryRun: true, ...(await planFor(app.core, actor, definitions)) }, (plan) => [
          "Dry run: nothing was changed.",
          ...renderDefinitionsPlan(plan),
        ]);
        return;
      }
      const settings = fleetSettingsOf(app);
      const display = await context.progress(`Applying ${file}`);
      try {
        const report = await applyDefinitions(
          {
            core: app.core,
            actor,
            notice: (line) => context.warn(line),
            onEvent: (name, event) => {
              if (event.type === "step") display.update(`${name}: ${event.message}`);
              else if (event.type === "log") display.log(`${name}: ${event.line}`);
            },
            afterCreate: async (vm, view) => {
              const address = view.addresses[0];
              if (address === undefined) return { notes: ["fleet steps: skipped, the VM reported no address"] };
              return runFleetSteps(app.runner, settings, vm, address, (event) => {
                if (event.type === "step") display.update(`${vm.name}: ${event.message}`);
                else if (event.type === "log") display.log(`${vm.name}: ${event.line}`);
              });
            },
          },
          definitions,
        );
        display.end("succeeded", `Applied ${file}: ${report.created.length} created`);
        const assigned = recordImports(app, definitions);
        const trail = await recordApply(app, actor, definitions, { outcome: "applied", report });
        context.output({ ...report, ...(trail ? { trail } : {}) }, (value) => [
          ...renderDefinitionsPlan(value.plan),
          ...value.created.map(
            (vm) =>
              `created ${vm.name} for ${vm.owner}${vm.addresses.length > 0 ? ` at ${vm.addresses.join(", ")}` : ""}${vm.fleet?.ageRecipient ? `; host key pinned, age recipient ${vm.fleet.ageRecipient}` : ""}${vm.fleet?.notes.length ? ` (${vm.fleet.notes.join("; ")})` : ""}`,
          ),
          ...(assigned > 0
            ? [
                `${assigned} imported VM(s) shown to their owners (read-only; start and stop where allowPowerControl is true).`,
              ]
            : []),
          ...(trail?.committed ? [`Recorded in git: ${trail.commit}`] : []),
        ]);
      } catch (error) {
        display.end("failed", error instanceof Error ? error.message : String(error));
        if (error instanceof ApplyFailedError) {
          await recordApply(app, actor, definitions, { outcome: "failed", error }).catch((trailError: unknown) =>
            context.warn(`warning: the git audit trail was not written: ${(trailError as Error).message}`),
          );
        }
        throw error;
      }
    });

  group
    .command("rekey")
    .description(
      "Read a pinned VM's host key again; if it changed and you accept its fingerprint, pin it and re-encrypt its secrets (as sops updatekeys / agenix -r)",
    )
    .argument("<name>", "the VM's name (pinned by a proxmox apply with nixos: true)")
    .option(
      "--accept <fingerprint>",
      "the new key's SHA-256 fingerprint, checked on the VM's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)",
    )
    .action(async (name: string, options: { accept?: string }) => {
      // Without --accept a rekey only reads and reports; with it, it pins and re-encrypts, which
      // --dry-run must never do, so a dry run is refused rather than silently carried out.
      if (context.globals().dryRun) {
        const { InvalidInputError } = await import("../../../domain/errors.js");
        throw new InvalidInputError([
          {
            path: "--dry-run",
            message: "proxmox rekey has no dry run; without --accept it changes nothing and says what it found.",
          },
        ]);
      }
      const { rekeyHost } = await import("../../../fleet/rekey.js");
      const { fleetSettingsOf } = await import("../../../fleet/fleet-app.js");
      const app = await context.app();
      const me = await app.core.whoami(context.globals().actor);
      if (me.role !== "admin") {
        const { ForbiddenError } = await import("../../../domain/errors.js");
        throw new ForbiddenError("admin-only", "Only an admin can re-key a Proxmox host.");
      }
      const report = await rekeyHost(app.runner, fleetSettingsOf(app), name, options.accept);
      context.output(report, (value) => [
        value.changed
          ? `${value.name}: new host key ${value.fingerprint} pinned; age recipient ${value.ageRecipient}.`
          : `${value.name}: host key ${value.fingerprint} unchanged.`,
        ...(value.reencrypted.length > 0 ? [`Re-encrypted: ${value.reencrypted.join(", ")}`] : []),
        ...value.notes.map((note) => `note: ${note}`),
      ]);
    });
};
