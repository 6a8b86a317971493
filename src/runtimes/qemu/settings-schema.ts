/**
 * VMs' (which runtime runs them) and the QEMU runtime's settings: the `vm` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../domain/config-fields.js";
import { sizeSchema } from "../../domain/sizes.js";

/** VMs: which runtime runs them, and the QEMU runtime's settings (docs/vms.md). */
export const vmSettingsSchema = z
  .object({
    /**
     * Which runtime runs `kind: vm` workloads: `qemu` (this host), `microvm` (microvm.nix on
     * the NixOS appliance, `microvm.*`), `proxmox` (a cluster, `proxmox.*`), `none`, or
     * `auto` (Proxmox when `proxmox.url` is set, else none).
     */
    runtime: z.enum(["auto", "none", "qemu", "microvm", "proxmox"]).default("auto"),
    /** Where VM folders live. Defaults to <stateDir>/vm. */
    root: z.string().optional(),
    /** Where base images are built and kept. Defaults to <root>/images; tests point it at a shared cache. */
    imageDir: z.string().optional(),
    /** Where debootstrap keeps downloaded packages between image builds. */
    packageCache: z.string().optional(),
    suite: z
      .string()
      .regex(/^[a-z]+$/, "must be a Debian suite name like bookworm")
      .default("bookworm"),
    mirror: z.string().url().default("http://deb.debian.org/debian"),
    /** `auto` tries KVM and falls back to TCG emulation; `tcg` never tries KVM. */
    accelerator: z.enum(["auto", "kvm", "tcg"]).default("auto"),
    /** QEMU's translation cache under TCG, in MiB (QEMU's default is 1024 per VM). */
    tbSizeMiB: z.number().int().min(32).max(2048).default(256),
    /** The host user QEMU drops to once its files are open; empty to keep root (not recommended). */
    runAs: z
      .string()
      .regex(/^([a-z_][a-z0-9_-]{0,31})?$/, "must be a user name")
      .default("voxnix-vm"),
    /**
     * Whether guests may open connections to the outside. Off: a guest reaches nothing, only its
     * forwarded SSH port reaches it. On: the outside, but never this host, its containers or
     * link-local addresses (outbound-filter.ts); needs `runAs`.
     */
    outbound: z.boolean().default(false),
    bootTimeoutSeconds: seconds(240),
    stopTimeoutSeconds: seconds(30),
    defaultCpus: z.number().int().min(1).max(64).default(1),
    maxCpus: z.number().int().min(1).max(64).default(4),
    defaultMemory: sizeSchema.default(512 * 1024 ** 2),
    maxMemory: sizeSchema.default(8 * 1024 ** 3),
    defaultDisk: sizeSchema.default(4 * 1024 ** 3),
    maxDisk: sizeSchema.default(64 * 1024 ** 3),
    defaultWorkspace: sizeSchema.default(1024 ** 3),
    maxWorkspace: sizeSchema.default(64 * 1024 ** 3),
  })
  .strict()
  .refine((settings) => !(settings.outbound && settings.runAs === ""), {
    message:
      "vm.outbound needs vm.runAs: the firewall that keeps guests off this host's services matches the user QEMU runs as",
    path: ["runAs"],
  })
  .prefault({});
export type VmSettings = z.output<typeof vmSettingsSchema>;
