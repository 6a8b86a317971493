/**
 * The nixos runtime's settings: the `nixos` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds, checked } from "../../domain/config-fields.js";
import { interfaceNameProblem } from "../../domain/network.js";

export const nixosSettingsSchema = z
  .object({
    /** The voxnix source (holding nix/) that generated wrappers import. */
    flakePath: z.string().optional(),
    hostBridge: checked(interfaceNameProblem).default("br-vox"),
    createTimeoutSeconds: seconds(1800),
    commandTimeoutSeconds: seconds(120),
    /** Module sets pre-built by `voxnix images build`. */
    images: z.array(z.array(z.string())).default([["git", "fish", "workspace"]]),
  })
  .strict()
  .prefault({});
export type NixosSettings = z.output<typeof nixosSettingsSchema>;
