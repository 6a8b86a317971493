/**
 * The Proxmox runtime's settings: the `proxmox` section of the configuration file, validated at start-up. The
 * schema lives beside the code that reads it; the app's schema (app/config-schema.ts) composes
 * every section into one.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../domain/config-fields.js";
import { normaliseFingerprint } from "./fingerprint.js";

/** Proxmox VE: VMs on a cluster (docs/proxmox.md). Unset `url` leaves Proxmox off. */
export const proxmoxSettingsSchema = z
  .object({
    /** The API endpoint of any cluster node, `https://pve1.lan:8006` (no path). */
    url: z
      .string()
      .url()
      .refine((value) => new URL(value).protocol === "https:", "must be an https:// URL")
      .optional(),
    /** The API token's id, `user@realm!tokenid`. */
    tokenId: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]{1,127}$/,
        'must look like "voxnix@pve!voxnix" (user@realm!tokenid)',
      )
      .optional(),
    /** A file holding only the token's secret (agenix); never the secret itself. */
    tokenSecretFile: z.string().optional(),
    /** Trust for the cluster's self-signed certificate: the cluster CA file or the node certificate's SHA-256 fingerprint. */
    tls: z
      .object({
        caFile: z.string().optional(),
        fingerprint: z
          .string()
          .refine(
            (value) => normaliseFingerprint(value) !== undefined,
            "is not a SHA-256 fingerprint (64 hex digits, colons optional)",
          )
          .optional(),
      })
      .strict()
      .refine((tls) => tls.caFile === undefined || tls.fingerprint === undefined, "set caFile or fingerprint, not both")
      .prefault({}),
    /** VMID of the cloud-init template every VM is cloned from. */
    template: z.number().int().min(100).max(999_999_999).optional(),
    /** Storage for full clones' disks; unset keeps the template's storage (and allows linked clones). */
    storage: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, "is not a Proxmox storage id")
      .optional(),
    /** Resource pool new VMs join (the token's permissions can then be limited to it). */
    pool: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, "is not a Proxmox pool id")
      .optional(),
    /** Nodes VMs may be placed on, in order of preference; empty allows every node. */
    nodes: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, "is not a node name")).default([]),
    /** The VMIDs voxnix owns; it allocates only inside this range and never reuses an ID. */
    vmidRange: z
      .object({ first: z.number().int().min(100).max(999_999_999), last: z.number().int().min(100).max(999_999_999) })
      .strict()
      .refine((range) => range.first <= range.last, "first must not be above last")
      .default({ first: 10_000, last: 10_999 }),
    /** How a node is chosen: the most free memory, or the first usable node in `nodes` order. */
    placement: z.enum(["most-free-memory", "node-order"]).default("most-free-memory"),
    /** `auto` makes a linked clone when the storage supports it and a full clone otherwise. */
    cloneMode: z.enum(["auto", "linked", "full"]).default("auto"),
    /** The template's disk that is resized to the VM's disk size. */
    disk: z
      .string()
      .regex(/^(scsi|virtio|sata|ide)\d{1,2}$/, "must be a disk key like scsi0")
      .default("scsi0"),
    /** The user cloud-init creates with the owner's SSH keys. */
    ciUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a user name")
      .default("voxnix"),
    /** Cloud-init `ipconfig0`, e.g. `ip=dhcp` or `ip=10.0.0.5/24,gw=10.0.0.1`. */
    ipConfig: z
      .string()
      .regex(/^[A-Za-z0-9=,./:]+$/, "is not an ipconfig value like ip=dhcp")
      .default("ip=dhcp"),
    /** Back the VM up with vzdump to this storage before a destroy (Proxmox snapshots die with the VM). */
    backupBeforeDestroy: z
      .object({ storage: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/) })
      .strict()
      .optional(),
    /**
     * Let `logs` read a managed VM's journal through the guest agent (`agent/exec`). Off by
     * default: it needs VM.GuestAgent.Unrestricted, which lets the token run any command in the pool's VMs.
     */
    journalViaAgent: z.boolean().default(false),
    /** VMs voxnix did not create but may start and stop; every other change to them is refused. */
    imports: z
      .array(z.object({ vmid: z.number().int().min(100), allowPowerControl: z.boolean().default(false) }).strict())
      .default([]),
    requestTimeoutSeconds: seconds(30),
    /** How long one Proxmox task (clone, start, delete, backup) may run. */
    taskTimeoutSeconds: seconds(900),
    /** How long a started VM has to report an address through the guest agent. */
    bootTimeoutSeconds: seconds(300),
    /** Other templates a definitions file may name per VM (`template:`), besides `template`. */
    templates: z.array(z.number().int().min(100).max(999_999_999)).default([]),
    /** The workspace disk: a second disk of the VM's workspace size, kept apart from the root disk. */
    workspaceDisk: z
      .string()
      .regex(/^(scsi|virtio|sata)\d{1,2}$/, "must be a disk key like scsi1")
      .default("scsi1"),
    /** Storage for workspace disks; unset uses the storage of the VM's root disk. */
    workspaceStorage: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, "is not a Proxmox storage id")
      .optional(),
    /** `voxnix proxmox apply`: the fleet steps after a VM is up, and the git audit trail. */
    fleet: z
      .object({
        /**
         * The install command for entries with `nixos: true`, as argv (never a shell line):
         * `{name}`, `{address}` and `{user}` are replaced, e.g.
         * ["nixos-anywhere", "--flake", ".#{name}", "{user}@{address}"].
         */
        nixosCommand: z.array(z.string().min(1)).min(1).optional(),
        /** Working directory of the install command (the flake). */
        nixosDirectory: z.string().optional(),
        nixosTimeoutSeconds: seconds(3600),
        /** The user the install command and ssh-keyscan address (cloud-init's `ciUser` by default). */
        sshUser: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a user name")
          .optional(),
        /** The VMs' SSH port for ssh-keyscan and the install command. */
        sshPort: z.number().int().min(1).max(65535).default(22),
        /** Pinned host keys of the VMs (OpenSSH known_hosts); defaults to <stateDir>/proxmox/known_hosts. */
        knownHostsFile: z.string().optional(),
        /** age-encrypted secrets re-encrypted for every applied host's key (with `age`, `sops updatekeys` or `agenix -r`). */
        secrets: z
          .object({
            /** The admin's age identity that can decrypt the files (read by age, sops or agenix, never by voxnix). */
            identityFile: z.string(),
            /** What re-keys the files: voxnix with `age` itself, `sops updatekeys`, or `agenix -r`. */
            tool: z.enum(["age", "sops", "agenix"]).default("age"),
            /** sops: the `.sops.yaml` whose creation rules' `age` lists get the hosts' recipients. */
            sopsConfig: z.string().optional(),
            /** agenix: the folder holding `secrets.nix` (agenix runs there). */
            agenixDirectory: z.string().optional(),
            /** agenix: the JSON file voxnix writes the hosts' recipients to, per file (default `<agenixDirectory>/voxnix-hosts.json`). */
            agenixHostsFile: z.string().optional(),
            /** age recipients (public keys) that must always be able to decrypt, one per line. */
            recipientsFile: z.string().optional(),
            /** Absolute paths of the age-encrypted files. */
            files: z.array(z.string().refine((value) => value.startsWith("/"), "must be an absolute path")).min(1),
          })
          .strict()
          .superRefine((secrets, context) => {
            if (secrets.tool === "sops" && secrets.sopsConfig === undefined)
              context.addIssue({
                code: "custom",
                path: ["sopsConfig"],
                message: "is required with tool: sops (the .sops.yaml listing the recipients).",
              });
            if (secrets.tool === "agenix" && secrets.agenixDirectory === undefined)
              context.addIssue({
                code: "custom",
                path: ["agenixDirectory"],
                message: "is required with tool: agenix (the folder holding secrets.nix).",
              });
          })
          .optional(),
        /** A git work tree where each apply commits the definitions file and a state summary. */
        gitRepo: z.string().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((proxmox, context) => {
    if (proxmox.url === undefined) return;
    for (const key of ["tokenId", "tokenSecretFile", "template"] as const) {
      if (proxmox[key] === undefined)
        context.addIssue({ code: "custom", path: [key], message: `is required when proxmox.url is set.` });
    }
  })
  .prefault({});
export type ProxmoxConfigSection = z.output<typeof proxmoxSettingsSchema>;
