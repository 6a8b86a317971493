/**
 * The nspawn runtime's settings: the `nspawn` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds, checked } from "../../domain/config-fields.js";
import { interfaceNameProblem, privateSubnetProblem } from "../../domain/network.js";

export const nspawnSettingsSchema = z
  .object({
    /** Where base images and container roots live. Defaults to <stateDir>/nspawn. */
    root: z.string().optional(),
    suite: z.string().default("bookworm"),
    mirror: z.string().default("http://deb.debian.org/debian"),
    bridge: checked(interfaceNameProblem).default("vx-br0"),
    subnet: checked(privateSubnetProblem).default("10.231.0.0/24"),
    nat: z.boolean().default(true),
    /** What the host accepts from containers besides DHCP and DNS: `icmp`, `tcp/<port>`, `udp/<port>`. */
    hostAccess: z
      .array(
        z
          .string()
          .regex(
            /^(icmp|(tcp|udp)\/([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))$/,
            "write icmp, tcp/<port> or udp/<port>",
          ),
      )
      .default([]),
    bootTimeoutSeconds: seconds(60),
    stopTimeoutSeconds: seconds(20),
  })
  .strict()
  .prefault({});
export type NspawnSettings = z.output<typeof nspawnSettingsSchema>;
