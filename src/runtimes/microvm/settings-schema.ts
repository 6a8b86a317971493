/**
 * The microvm runtime's settings: the `microvm` section of the configuration file, validated at
 * start-up. Sizes, maxima and the boot timeout are the `vm.*` ones. The schema lives beside the
 * code that reads it; the app's schema (app/config-schema.ts) composes every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../domain/config-fields.js";

/** The microvm runtime (VMs on the NixOS appliance through microvm.nix, docs/vms.md). */
export const microvmSettingsSchema = z
  .object({
    /** The voxnix flake whose `lib.microvmRunner` builds each VM (its pinned nixpkgs and microvm.nix). Defaults to nixos.flakePath. */
    flake: z.string().optional(),
    /** microvm.nix's state directory on the host (`microvm.stateDir`): microvm@NAME.service runs NAME/current/bin/microvm-run there. */
    stateDir: z
      .string()
      .regex(/^\/[A-Za-z0-9._@+/-]*$/, "must be an absolute path of letters, digits and . _ @ + / -")
      .default("/var/lib/microvms"),
    /** The hypervisor of new VMs. Only qemu (user-mode networking, SSH forwarded to 127.0.0.1) is run by voxnix today. */
    hypervisor: z.enum(["qemu"]).default("qemu"),
    /** Where voxnix keeps each VM's spec, seed and keys. Defaults to <stateDir>/microvm. */
    root: z.string().optional(),
    /** Building one VM's runner (nix build); the first build of a new configuration takes longest. */
    buildTimeoutSeconds: seconds(1800),
    /** systemctl and journalctl calls. */
    commandTimeoutSeconds: seconds(120),
  })
  .strict()
  .prefault({});
export type MicrovmSettings = z.output<typeof microvmSettingsSchema>;
