/**
 * The Proxmox definitions file: the VMs an admin keeps as data (`proxmox/vms.yaml`), read and
 * validated before anything else happens. Each managed entry becomes the same `kind: vm` input
 * a person's chat request becomes, so the core applies the same validation, ownership, quotas
 * and audit; imported entries only document VMs that exist in the cluster and that voxnix never
 * changes. Every problem names the file, the line and the field ("vms.yaml:7: vms.1.memory: …"),
 * because the admin fixes the file, not a JSON path.
 *
 * The file is YAML (JSON is YAML too), or Nix (`*.nix`): an expression evaluating to the same
 * data, evaluated by the host's `nix-instantiate --eval --strict --json` in restricted mode
 * (only the file's own folder is readable, no `<nixpkgs>`, no fetching, no store writes, a
 * timeout), so a definitions file can use `let`, `map` and functions without nixpkgs. Problems in
 * a Nix file name the field in the evaluated value, since Nix's JSON has no line numbers.
 * Unknown keys are refused, so a typo ("memroy") is an error rather than a silently ignored line.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { HostFailureError, InvalidInputError, type InputIssue } from "../domain/errors.js";
import type { CommandRunner } from "../ports/command-runner.js";
import { userIdSchema, type UserId } from "../domain/identity.js";
import { workloadNameSchema } from "../domain/names.js";
import { sizeSchema } from "../domain/sizes.js";
import type { VmSpecInput } from "../domain/vm-spec.js";

/** Most VMs one file may list: a homelab, not a data centre; keeps a plan readable. */
export const MAX_DEFINED_VMS = 200;
/** Largest definitions file read. */
export const MAX_DEFINITIONS_BYTES = 1024 * 1024;

const nodeNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
    "must be a Proxmox node name (letters, digits and hyphens)",
  );
const tagSchema = z
  .string()
  .regex(
    /^[a-z0-9_][a-z0-9_.+-]{0,31}$/,
    "must be a Proxmox tag: lowercase letters, digits, _ . + -, at most 32 characters",
  );

/** One managed VM. Sizes like "2G"; unset fields take the admin's VM defaults. */
const managedVmSchema = z
  .object({
    name: workloadNameSchema,
    owner: userIdSchema,
    cpus: z.number().int().positive().optional(),
    memory: sizeSchema.optional(),
    disk: sizeSchema.optional(),
    /** The workspace disk (a second disk, kept apart from the root disk). */
    workspace: sizeSchema.optional(),
    /** A node name, or `auto` for the configured placement rule (`proxmox.placement`). */
    node: z.union([z.literal("auto"), nodeNameSchema]).default("auto"),
    /** A template VMID; it must be `proxmox.template` or listed in `proxmox.templates`. */
    template: z.number().int().min(100).max(999_999_999).optional(),
    sshKeys: z.array(z.string()).max(16).default([]),
    tags: z.array(tagSchema).max(8).default([]),
    /** Run the configured NixOS install command (`proxmox.nixos`) once the VM is up. */
    nixos: z.boolean().default(false),
    /** With `nixos`: secrets files (from `proxmox.fleet.secrets.files`) re-encrypted for this host's key. */
    secrets: z.array(z.string()).max(32).default([]),
  })
  .strict()
  .refine((vm) => vm.secrets.length === 0 || vm.nixos, {
    message: "secrets are re-encrypted by the fleet steps, which run only with nixos: true",
    path: ["secrets"],
  });

/** An existing cluster VM, documented here and never changed by voxnix. */
const importedVmSchema = z
  .object({
    name: z.string().min(1).max(128),
    vmid: z.number().int().min(100).max(999_999_999),
    /** Who it is assigned to: shown in their list, and `show` works for them (and admins). */
    owner: userIdSchema.optional(),
    note: z.string().max(500).optional(),
    /** Lets its owner and admins start and stop it through voxnix; nothing else is ever allowed. */
    allowPowerControl: z.boolean().default(false),
  })
  .strict();

const definitionsSchema = z
  .object({
    vms: z.array(managedVmSchema).max(MAX_DEFINED_VMS).default([]),
    imported: z.array(importedVmSchema).max(MAX_DEFINED_VMS).default([]),
  })
  .strict();

export type ManagedVmDefinition = z.output<typeof managedVmSchema> & { readonly owner: UserId; readonly line: number };
export type ImportedVmDefinition = z.output<typeof importedVmSchema> & { readonly line: number };

export interface Definitions {
  /** Where the file was read from (for messages and the git trail). */
  readonly file: string;
  /** The file's text exactly as read (committed to the audit trail as is). */
  readonly text: string;
  readonly vms: readonly ManagedVmDefinition[];
  readonly imported: readonly ImportedVmDefinition[];
}

/** How long evaluating a Nix definitions file may take. */
export const NIX_EVAL_TIMEOUT_MS = 30_000;

/**
 * Reads and validates a definitions file; throws `InvalidInputError` with line-numbered issues.
 * A `*.nix` file is evaluated with `runner` (required for those).
 */
export async function readDefinitions(
  file: string,
  options: { readonly runner?: CommandRunner } = {},
): Promise<Definitions> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_DEFINITIONS_BYTES)
      throw new InvalidInputError([
        { path: file, message: `${file} is larger than ${MAX_DEFINITIONS_BYTES} bytes; is it the right file?` },
      ]);
    text = buffer.toString("utf8");
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new InvalidInputError([{ path: file, message: `The definitions file ${file} could not be read (${code}).` }]);
  }
  if (!file.endsWith(".nix")) return parseDefinitions(text, file);
  if (options.runner === undefined)
    throw new InvalidInputError([
      { path: file, message: `${file} is a Nix file; it can only be read where Nix is run.` },
    ]);
  return parseDefinitions(await evaluateNix(options.runner, file), file, { source: text, evaluated: true });
}

/**
 * Evaluates a Nix definitions file to JSON: restricted evaluation with only the file's folder
 * on the search path, no NIX_PATH (so `<nixpkgs>` is not found), no URIs allowed, the store
 * opened read-only, a clean environment and a timeout.
 */
export async function evaluateNix(runner: CommandRunner, file: string): Promise<string> {
  const path = resolve(file);
  const args = [
    "--eval",
    "--strict",
    "--json",
    "--readonly-mode",
    "--option",
    "restrict-eval",
    "true",
    "--option",
    "allowed-uris",
    "",
    "--option",
    "allow-import-from-derivation",
    "false",
    "-I",
    dirname(path),
    path,
  ];
  let result;
  try {
    result = await runner.run("nix-instantiate", args, {
      timeoutMs: NIX_EVAL_TIMEOUT_MS,
      isolatedEnv: true,
      env: { NIX_PATH: "", HOME: dirname(path), PATH: process.env.PATH ?? "/usr/bin:/bin" },
      maxOutputBytes: MAX_DEFINITIONS_BYTES * 4,
    });
  } catch (error) {
    if (error instanceof HostFailureError && /not installed|ENOENT/.test(`${error.message} ${error.detail ?? ""}`)) {
      throw new InvalidInputError([
        {
          path: file,
          message: `${file} is a Nix file, but nix-instantiate is not installed here (Debian: apt install nix-bin); write the definitions in YAML instead.`,
        },
      ]);
    }
    throw error;
  }
  if (result.truncated)
    throw new InvalidInputError([
      {
        path: file,
        message: `${file} evaluates to more than ${MAX_DEFINITIONS_BYTES * 4} bytes of JSON; is it the right file?`,
      },
    ]);
  if (result.exitCode !== 0) {
    const reason = result.stderr
      .split("\n")
      .filter((line) => line.trim().length > 0 && !/^warning:/.test(line))
      .slice(0, 6)
      .join(" ")
      .slice(0, 800);
    throw new InvalidInputError([
      { path: file, message: `${file} could not be evaluated by Nix: ${reason || `exit ${result.exitCode}`}` },
    ]);
  }
  return result.stdout;
}

/**
 * Validates the text of a definitions file (`file` names it in messages). For an evaluated Nix
 * file, `text` is the JSON, `source` the file as written, and messages name fields, not lines.
 */
export function parseDefinitions(
  text: string,
  file: string,
  options: { readonly source?: string; readonly evaluated?: boolean } = {},
): Definitions {
  const where = (line: number) => (options.evaluated ? `${file} (evaluated)` : `${file}:${line}`);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  if (document.errors.length > 0) {
    throw new InvalidInputError(
      document.errors.slice(0, 10).map((error) => ({
        path: where(at(error.pos[0])),
        message: `${where(at(error.pos[0]))}: not valid YAML: ${error.message.split("\n")[0]}`,
      })),
    );
  }
  const lineOf = (path: readonly PropertyKey[]): number => {
    // The deepest node the path reaches (an unknown key's parent, a missing field's entry).
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true) as YamlNode | undefined;
      if (node && typeof node === "object" && "range" in node && node.range) return at(node.range[0]);
    }
    return 1;
  };
  let raw: unknown;
  try {
    // No aliases: a definitions file is plain data, and aliases are how YAML bombs grow.
    raw = document.toJS({ maxAliasCount: 0 }) ?? {};
  } catch (error) {
    throw new InvalidInputError([
      {
        path: file,
        message: `${file}: YAML anchors and aliases (& and *) are not accepted; write each entry out (${(error as Error).message}).`,
      },
    ]);
  }
  const parsed = definitionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(
      parsed.error.issues.slice(0, 20).map((issue) => {
        const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
        const path = issue.path.map(String).join(".") || "(top level)";
        const line = lineOf(issue.path);
        return { path: `${where(line)}:${path}`, message: `${where(line)}: ${path}: ${issue.message}${keys}` };
      }),
    );
  }
  const entryLine = (section: "vms" | "imported", index: number) => {
    const node = document.getIn([section, index], true) as YamlNode | undefined;
    return node && (isMap(node) || isSeq(node)) && node.range ? at(node.range[0]) : 1;
  };
  const vms = parsed.data.vms.map((vm, index) => ({ ...vm, owner: vm.owner, line: entryLine("vms", index) }));
  const imported = parsed.data.imported.map((vm, index) => ({ ...vm, line: entryLine("imported", index) }));

  const issues: InputIssue[] = [];
  const seen = new Map<string, number>();
  for (const entry of [...vms, ...imported]) {
    const first = seen.get(entry.name);
    if (first !== undefined)
      issues.push({
        path: `${where(entry.line)}:name`,
        message: `${where(entry.line)}: "${entry.name}" is already defined${options.evaluated ? "" : ` on line ${first}`}; each VM is listed once.`,
      });
    else seen.set(entry.name, entry.line);
  }
  const vmids = new Map<number, number>();
  for (const entry of imported) {
    const first = vmids.get(entry.vmid);
    if (first !== undefined)
      issues.push({
        path: `${where(entry.line)}:vmid`,
        message: `${where(entry.line)}: VMID ${entry.vmid} is already listed${options.evaluated ? " twice" : ` on line ${first}`}.`,
      });
    else vmids.set(entry.vmid, entry.line);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { file, text: options.source ?? text, vms, imported };
}

/** The create input the core validates for a managed entry (the owner is the actor, not a field). */
export function vmInputOf(vm: ManagedVmDefinition): VmSpecInput {
  return {
    kind: "vm",
    name: vm.name,
    ...(vm.cpus !== undefined ? { cpus: vm.cpus } : {}),
    ...(vm.memory !== undefined ? { memory: vm.memory } : {}),
    ...(vm.disk !== undefined ? { disk: vm.disk } : {}),
    ...(vm.workspace !== undefined ? { workspace: vm.workspace } : {}),
    sshKeys: vm.sshKeys,
    ...(vm.node !== "auto" || vm.template !== undefined || vm.tags.length > 0
      ? {
          cluster: {
            ...(vm.node !== "auto" ? { node: vm.node } : {}),
            ...(vm.template !== undefined ? { template: vm.template } : {}),
            ...(vm.tags.length > 0 ? { tags: vm.tags } : {}),
          },
        }
      : {}),
  };
}
