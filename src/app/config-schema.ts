/**
 * The configuration schema: one file (`VOXNIX_CONFIG`, YAML or JSON) plus environment
 * overrides, validated at start-up. Every key has a default, so voxnix runs with no file.
 * Secrets are never literal values in the file: each secret is a `*File` path (the agenix
 * way) or comes from an environment variable.
 *
 * Each section's schema lives beside the code that reads it (a runtime's in its folder, a
 * driver's beside the driver); this file composes them into one and is the import path the
 * rest of the app uses.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../domain/config-fields.js";
import {
  STORAGE_DRIVER_NAMES,
  storageSettingsSchema,
  type StorageDriverName,
} from "../backends/storage/settings-schema.js";
import { tailscaleSettingsSchema } from "../backends/network/tailscale/settings-schema.js";
import { nixosSettingsSchema } from "../runtimes/nixos/settings-schema.js";
import { nspawnSettingsSchema } from "../runtimes/nspawn/settings-schema.js";
import { proxmoxSettingsSchema } from "../runtimes/proxmox/settings-schema.js";
import { vmSettingsSchema } from "../runtimes/qemu/settings-schema.js";
import { microvmSettingsSchema } from "../runtimes/microvm/settings-schema.js";
import { resourcesSchema, securitySchema, usersSchema } from "./config/people.js";
import { httpSchema, serveSchema, sshSchema, telegramSchema } from "./config/daemons.js";
import { idleSchema } from "./config/idle.js";
import { conversationsSchema, llmSchema } from "./config/assistant.js";

export { STORAGE_DRIVER_NAMES, type StorageDriverName };

export const BACKEND_NAMES = ["nspawn", "nixos"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const configSchema = z
  .object({
    /** Which container backend runs workloads. */
    backend: z.enum(BACKEND_NAMES).default("nspawn"),
    /** Where the database and generated files live (absolute). Defaults to $XDG_STATE_HOME/voxnix. */
    stateDir: z.string().optional(),

    users: usersSchema,
    /** Per-workload resource defaults and admin-set maxima. */
    resources: resourcesSchema,
    /** Choices that weaken isolation; every one is off unless the admin turns it on. */
    security: securitySchema,
    confirmations: z
      .object({ ttlSeconds: seconds(300) })
      .strict()
      .prefault({}),
    snapshots: z
      .object({ undoWindowHours: z.number().positive().default(24) })
      .strict()
      .prefault({}),

    storage: storageSettingsSchema,
    nixos: nixosSettingsSchema,
    /** VMs: which runtime runs them, and the QEMU runtime's settings (docs/vms.md). */
    vm: vmSettingsSchema,
    /** microvm.nix on the NixOS appliance (`vm.runtime: microvm`, docs/vms.md). */
    microvm: microvmSettingsSchema,
    nspawn: nspawnSettingsSchema,
    tailscale: tailscaleSettingsSchema,
    /** Proxmox VE: VMs on a cluster (docs/proxmox.md). Unset `url` leaves Proxmox off. */
    proxmox: proxmoxSettingsSchema,

    telegram: telegramSchema,
    /** Inactivity timers: stop what nobody uses (docs/idle.md). */
    idle: idleSchema,
    /** What `voxnix serve` runs besides the Telegram bot (which runs whenever a token is configured). */
    serve: serveSchema,
    http: httpSchema,
    ssh: sshSchema,

    llm: llmSchema,
    conversations: conversationsSchema,

    /** Unset: `warn` when stderr is a terminal (a person is reading), `info` otherwise (services, journald). */
    log: z
      .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional() })
      .strict()
      .prefault({}),
    telemetry: z
      .object({ otlpEndpoint: z.string().url().optional(), serviceName: z.string().default("voxnix") })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated configuration. Secrets are not part of it; see `Secrets`. */
export type Config = z.output<typeof configSchema>;

/**
 * Secret values, read at start-up from `*File` paths or environment variables and kept
 * apart from `Config` so that printing the config can never print a secret.
 */
export interface Secrets {
  readonly telegramToken?: string;
  readonly llmApiKey?: string;
  readonly webhookSecret?: string;
}
