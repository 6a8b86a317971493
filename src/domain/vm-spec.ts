/**
 * VM specs: what a person asked for when they asked for a virtual machine, validated against
 * the admin's limits. A `VmSpec` is the only thing that crosses into a VM runtime. Every field
 * ends up in a host command line (sizes, CPU count) or in a file the guest reads at boot (SSH
 * keys), so each is checked here, before any host command, with a message saying what to change.
 *
 * @module
 */
import { z } from "zod";
import { InvalidInputError, type InputIssue } from "./errors.js";
import { workloadNameSchema, type WorkloadName } from "./names.js";
import { formatSize, sizeSchema } from "./sizes.js";
import { zodIssues } from "./spec.js";

/**
 * A fully validated VM spec, with every default filled in. Besides its own fields it carries
 * the fields every workload spec has (`modules`, `workspace`, `resources`, `remoteAccess`),
 * filled by `validateVmSpec` from the same values, so the core admits, counts and shows VMs
 * and containers alike.
 */
export interface VmSpec {
  readonly kind: "vm";
  readonly name: WorkloadName;
  /** Always empty: no catalog modules run in VMs yet. */
  readonly modules: readonly string[];
  readonly moduleOptions: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  /** A VM always has a workspace disk of `workspaceBytes`. */
  readonly workspace: { readonly enabled: true; readonly sizeBytes: number };
  /** The core's view of `cpus` and `memoryBytes`; `pids` is 0: a VM's processes live in its own kernel. */
  readonly resources: { readonly cpus: number; readonly memoryBytes: number; readonly pids: 0 };
  readonly remoteAccess: false;
  /** Virtual CPUs: a whole number (QEMU's `-smp`). */
  readonly cpus: number;
  /** Guest memory in bytes, a whole number of MiB. */
  readonly memoryBytes: number;
  /** Size of the root disk in bytes, a whole number of MiB (the root file system grows to it on first boot). */
  readonly diskBytes: number;
  /** Size of the persistent workspace disk mounted at /workspace, a whole number of MiB. */
  readonly workspaceBytes: number;
  /** The owner's SSH public keys, one `type base64 [comment]` line each, for root in the guest. */
  readonly sshKeys: readonly string[];
  /**
   * Cluster hints a Proxmox runtime honours (a node, one of the admin's allowed templates,
   * extra tags) and other VM runtimes ignore. Absent for most VMs.
   */
  readonly cluster?: VmClusterHints;
}

/** Where and from what a cluster VM is made; the Proxmox runtime checks each against its settings. */
export interface VmClusterHints {
  readonly node?: string;
  readonly template?: number;
  readonly tags?: readonly string[];
}

const clusterHintsSchema = z
  .object({
    node: z
      .string()
      .regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
        "must be a Proxmox node name (letters, digits and hyphens)",
      )
      .optional(),
    template: z.number().int().min(100).max(999_999_999).optional(),
    tags: z
      .array(
        z.string().regex(/^[a-z0-9_][a-z0-9_.+-]{0,31}$/, "must be a Proxmox tag: lowercase letters, digits, _ . + -"),
      )
      .max(8)
      .optional(),
  })
  .strict();

/** Raw create input as adapters pass it. Sizes accept "512M", "4G" or byte counts. */
export const vmSpecInputSchema = z
  .object({
    kind: z.literal("vm").optional(),
    name: z.string(),
    cpus: z.number().optional(),
    memory: sizeSchema.optional(),
    disk: sizeSchema.optional(),
    workspace: sizeSchema.optional(),
    sshKeys: z.array(z.string()).default([]),
    cluster: clusterHintsSchema.optional(),
  })
  .strict();
export type VmSpecInput = z.input<typeof vmSpecInputSchema>;

/** Admin-set defaults and maxima for one VM. */
export interface VmResourcePolicy {
  readonly defaultCpus: number;
  readonly maxCpus: number;
  readonly defaultMemoryBytes: number;
  readonly maxMemoryBytes: number;
  readonly defaultDiskBytes: number;
  readonly maxDiskBytes: number;
  readonly defaultWorkspaceBytes: number;
  readonly maxWorkspaceBytes: number;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * The smallest VM that boots, whatever the admin allows: Debian's cloud kernel and systemd
 * need about 200 MiB before sshd runs; the root disk holds the ~1.2 GiB base file system;
 * the workspace's ext4 needs room for its journal.
 */
export const VM_MINIMUMS = { cpus: 1, memoryBytes: 256 * MiB, diskBytes: 2 * GiB, workspaceBytes: 64 * MiB } as const;

/**
 * The largest values any policy may allow: beyond them QEMU or the guest misbehaves (and a
 * typo like "40T" is caught even when the admin set no lower maximum).
 */
export const VM_MAXIMUMS = {
  cpus: 64,
  memoryBytes: 256 * GiB,
  diskBytes: 2048 * GiB,
  workspaceBytes: 2048 * GiB,
} as const;

/** The defaults voxnix ships: small enough for a shared 2-core machine under emulation. */
export const DEFAULT_VM_POLICY: VmResourcePolicy = {
  defaultCpus: 1,
  maxCpus: 4,
  defaultMemoryBytes: 512 * MiB,
  maxMemoryBytes: 8 * GiB,
  defaultDiskBytes: 4 * GiB,
  maxDiskBytes: 64 * GiB,
  defaultWorkspaceBytes: 1 * GiB,
  maxWorkspaceBytes: 64 * GiB,
};

/** Most SSH keys one VM takes: enough for a person's devices, not a way to write a big file. */
export const MAX_SSH_KEYS = 16;

const KEY_TYPES: ReadonlySet<string> = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

// Type, one space, base64, optionally one space and a printable-ASCII comment. No options
// prefix (`command="…"`, `from=`) and nothing that could end the line: the key lands in an
// authorized_keys file, where a newline would start a second, unchecked entry.
const KEY_PATTERN = /^([a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(?: ([\x20-\x7e]{1,200}))?$/;

/** Explains why `line` is not an acceptable SSH public key, or returns undefined when it is. */
export function describeSshKeyProblem(line: string): string | undefined {
  const match = KEY_PATTERN.exec(line);
  if (!match)
    return 'is not an SSH public key line (type, base64 key and an optional comment, like "ssh-ed25519 AAAA… me@laptop"); options such as command= are not accepted.';
  const [, type = "", blob = ""] = match;
  if (!KEY_TYPES.has(type))
    return `has the key type "${type}", which is not accepted (use ${[...KEY_TYPES].slice(0, 3).join(", ")}, …).`;
  const decoded = Buffer.from(blob, "base64");
  // The blob starts with its own type as an SSH string: a length and the name.
  const length = decoded.length >= 4 ? decoded.readUInt32BE(0) : -1;
  if (length !== type.length || decoded.subarray(4, 4 + length).toString("latin1") !== type || decoded.length > 8192) {
    return `is not a valid ${type} key (its data does not match its type).`;
  }
  return undefined;
}

function checkRange(
  issues: InputIssue[],
  path: string,
  what: string,
  value: number,
  minimum: number,
  maximum: number,
  show: (n: number) => string,
): void {
  if (value < minimum)
    issues.push({ path, message: `A VM needs at least ${show(minimum)} of ${what} (asked for ${show(value)}).` });
  else if (value > maximum)
    issues.push({ path, message: `At most ${show(maximum)} of ${what} per VM is allowed (asked for ${show(value)}).` });
}

function wholeMiB(issues: InputIssue[], path: string, bytes: number): void {
  if (bytes % MiB !== 0) issues.push({ path, message: `Give ${path} in whole MiB (asked for ${bytes} bytes).` });
}

/**
 * Validates raw input into a `VmSpec`, or throws `InvalidInputError` listing every problem.
 * Limits are the policy's, clamped to `VM_MINIMUMS`/`VM_MAXIMUMS`.
 */
export function validateVmSpec(input: unknown, policy: VmResourcePolicy = DEFAULT_VM_POLICY): VmSpec {
  const parsed = vmSpecInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  const raw = parsed.data;
  const issues: InputIssue[] = [];

  const name = workloadNameSchema.safeParse(raw.name);
  if (!name.success) issues.push(...zodIssues(name.error, "name"));

  const cpus = raw.cpus ?? policy.defaultCpus;
  if (!Number.isInteger(cpus))
    issues.push({ path: "cpus", message: `A VM has a whole number of CPUs (asked for ${cpus}).` });
  else
    checkRange(
      issues,
      "cpus",
      "CPUs",
      cpus,
      VM_MINIMUMS.cpus,
      Math.min(policy.maxCpus, VM_MAXIMUMS.cpus),
      (n) => `${n}`,
    );

  const memoryBytes = raw.memory ?? policy.defaultMemoryBytes;
  checkRange(
    issues,
    "memory",
    "memory",
    memoryBytes,
    VM_MINIMUMS.memoryBytes,
    Math.min(policy.maxMemoryBytes, VM_MAXIMUMS.memoryBytes),
    formatSize,
  );
  wholeMiB(issues, "memory", memoryBytes);

  const diskBytes = raw.disk ?? policy.defaultDiskBytes;
  checkRange(
    issues,
    "disk",
    "disk",
    diskBytes,
    VM_MINIMUMS.diskBytes,
    Math.min(policy.maxDiskBytes, VM_MAXIMUMS.diskBytes),
    formatSize,
  );
  wholeMiB(issues, "disk", diskBytes);

  const workspaceBytes = raw.workspace ?? policy.defaultWorkspaceBytes;
  checkRange(
    issues,
    "workspace",
    "workspace",
    workspaceBytes,
    VM_MINIMUMS.workspaceBytes,
    Math.min(policy.maxWorkspaceBytes, VM_MAXIMUMS.workspaceBytes),
    formatSize,
  );
  wholeMiB(issues, "workspace", workspaceBytes);

  if (raw.sshKeys.length > MAX_SSH_KEYS)
    issues.push({ path: "sshKeys", message: `At most ${MAX_SSH_KEYS} SSH keys per VM (got ${raw.sshKeys.length}).` });
  const sshKeys: string[] = [];
  raw.sshKeys.slice(0, MAX_SSH_KEYS).forEach((key, index) => {
    const trimmed = key.trim();
    const problem = describeSshKeyProblem(trimmed);
    if (problem) issues.push({ path: `sshKeys.${index}`, message: `SSH key ${index + 1} ${problem}` });
    else if (!sshKeys.includes(trimmed)) sshKeys.push(trimmed);
  });

  if (issues.length > 0 || !name.success) throw new InvalidInputError(issues);
  return {
    kind: "vm",
    name: name.data,
    modules: [],
    moduleOptions: {},
    workspace: { enabled: true, sizeBytes: workspaceBytes },
    resources: { cpus, memoryBytes, pids: 0 },
    remoteAccess: false,
    cpus,
    memoryBytes,
    diskBytes,
    workspaceBytes,
    sshKeys,
    ...(raw.cluster !== undefined && Object.keys(raw.cluster).length > 0 ? { cluster: raw.cluster } : {}),
  };
}

/** The input that validates back into `spec` (for re-checking a spec at a boundary). */
export function specInput(spec: VmSpec): VmSpecInput {
  const raw = spec as unknown as Record<string, unknown>;
  const cluster = raw.cluster as VmClusterHints | undefined;
  return {
    name: raw.name as string,
    cpus: raw.cpus as number,
    memory: raw.memoryBytes as number,
    disk: raw.diskBytes as number,
    workspace: raw.workspaceBytes as number,
    sshKeys: raw.sshKeys as string[],
    ...(cluster !== undefined
      ? {
          cluster: {
            ...(cluster.node !== undefined ? { node: cluster.node } : {}),
            ...(cluster.template !== undefined ? { template: cluster.template } : {}),
            ...(cluster.tags ? { tags: [...cluster.tags] } : {}),
          },
        }
      : {}),
  };
}

/** Narrows a spec for a VM runtime; anything else is a wiring bug, refused plainly. */
export function requireVmSpec(spec: { readonly kind: string }): VmSpec {
  if (spec.kind === "vm") return spec as VmSpec;
  throw new InvalidInputError([{ path: "kind", message: `This runtime runs VMs, not ${spec.kind}s.` }]);
}
