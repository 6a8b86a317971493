/**
 * `voxnix doctor` for the microvm runtime: nix, microvm.nix's host module (`microvm@.service`),
 * the voxnix flake runners are built from, and OpenSSH for exec and host keys.
 *
 * @module
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { CommandRunner } from "../../ports/command-runner.js";
import type { DoctorCheck } from "../../ports/runtime.js";
import { runOk } from "../../host/commands.js";
import { RUNNER_ENTRY } from "./machine.js";

/** The checks; `flake` is the configured voxnix flake path, if any. */
export async function microvmDoctor(runner: CommandRunner, flake: string | undefined): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const nix = await runOk(runner, "nix", ["--version"]);
  checks.push({
    name: "microvm: nix",
    ok: nix,
    detail: nix ? "nix is installed" : "nix was not found",
    ...(nix ? {} : { fix: "Run voxnix on the NixOS appliance (nix is part of NixOS)." }),
  });
  const unit = await runOk(runner, "systemctl", ["cat", "microvm@.service"]);
  checks.push({
    name: "microvm: host module",
    ok: unit,
    detail: unit ? "microvm@.service is installed" : "microvm@.service is not installed",
    ...(unit
      ? {}
      : {
          fix: "Import microvm.nixosModules.host in the appliance's configuration (the voxnix flake's appliance does).",
        }),
  });
  const hasEntry = flake !== undefined && existsSync(path.join(flake, RUNNER_ENTRY));
  checks.push({
    name: "microvm: voxnix flake",
    ok: hasEntry,
    detail: hasEntry
      ? `VM runners are built from ${flake}`
      : "microvm.flake (or nixos.flakePath) does not name the voxnix flake",
    ...(hasEntry ? {} : { fix: "Set microvm.flake to the voxnix source on this host (the NixOS module sets it)." }),
  });
  const ssh = await runOk(runner, "ssh", ["-V"]);
  checks.push({
    name: "microvm: ssh",
    ok: ssh,
    detail: ssh ? "ssh (OpenSSH) for exec and host keys" : "ssh was not found",
    ...(ssh ? {} : { fix: "Enable programs.ssh (OpenSSH) on the appliance." }),
  });
  return checks;
}
