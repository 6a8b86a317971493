/**
 * Changing a workload: what a person may state ("add code-server, 2 CPUs"), how that becomes
 * the input of a whole new spec built from the stored one, and the difference between the two
 * specs, field by field. Pure: the core validates the new spec with the same rules as create
 * (catalog, runtime, limits, quotas) and decides whether the change needs a restart.
 *
 * A change never touches the workspace's contents, never toggles the workspace or remote access
 * (those are create-time choices with host state of their own) and never renames. It may change
 * the workspace's size limit (the storage driver does that in place).
 *
 * @module
 */
import { z } from "zod";
import { InvalidInputError, type InputIssue } from "./errors.js";
import { formatSize, sizeSchema } from "./sizes.js";
import {
  FORBIDDEN_KEYS,
  REMOTE_ACCESS_MODULE,
  WORKSPACE_MODULE,
  zodIssues,
  type ModuleOptionValue,
  type WorkloadSpec,
} from "./spec.js";

/** A change as a person states it; every field is optional, absent means "keep". */
export const changeRequestSchema = z
  .object({
    addModules: z.array(z.string().max(64)).max(32).default([]),
    removeModules: z.array(z.string().max(64)).max(32).default([]),
    moduleOptions: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .default({}),
    cpus: z.number().positive().optional(),
    memory: sizeSchema.optional(),
    pids: z.number().int().positive().optional(),
    workspaceSize: sizeSchema.optional(),
  })
  .strict();
export type ChangeRequestInput = z.input<typeof changeRequestSchema>;
export type ChangeRequest = z.output<typeof changeRequestSchema>;

/** One field that differs, in words a person reads ("cpus: 1 → 2"). */
export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** Parses a stated change, refusing keys that would reach an object prototype. */
export function parseChangeRequest(input: unknown): ChangeRequest {
  const options = (input as { moduleOptions?: unknown } | null)?.moduleOptions;
  if (options !== null && typeof options === "object" && !Array.isArray(options)) {
    const issues: InputIssue[] = [];
    for (const [module, values] of Object.entries(options as Record<string, unknown>)) {
      if (FORBIDDEN_KEYS.has(module))
        issues.push({ path: "moduleOptions", message: `"${module}" is not allowed as a module name.` });
      if (values !== null && typeof values === "object") {
        for (const key of Object.keys(values))
          if (FORBIDDEN_KEYS.has(key))
            issues.push({ path: `moduleOptions.${module}`, message: `"${key}" is not allowed as an option name.` });
      }
    }
    if (issues.length > 0) throw new InvalidInputError(issues);
  }
  const parsed = changeRequestSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  const request = parsed.data;
  const normalise = (list: readonly string[]) => [
    ...new Set(list.map((module) => module.trim().toLowerCase()).filter((module) => module.length > 0)),
  ];
  const change = {
    ...request,
    addModules: normalise(request.addModules),
    removeModules: normalise(request.removeModules),
  };
  const both = change.addModules.filter((module) => change.removeModules.includes(module));
  if (both.length > 0)
    throw new InvalidInputError([{ path: "modules", message: `"${both[0]}" cannot be added and removed at once.` }]);
  return change;
}

/** True when the request states nothing at all. */
export function isEmptyChange(change: ChangeRequest): boolean {
  return (
    change.addModules.length === 0 &&
    change.removeModules.length === 0 &&
    Object.keys(change.moduleOptions).length === 0 &&
    change.cpus === undefined &&
    change.memory === undefined &&
    change.pids === undefined &&
    change.workspaceSize === undefined
  );
}

/**
 * The create input of the spec `current` becomes with `change`, for the spec validator of its
 * kind. Refuses what a change cannot do (workspace and remote access toggles, modules on VMs,
 * removing a module that is not there) before anything is validated.
 */
export function changedSpecInput(current: WorkloadSpec, change: ChangeRequest): Record<string, unknown> {
  const issues: InputIssue[] = [];
  for (const module of [...change.addModules, ...change.removeModules]) {
    if (module === WORKSPACE_MODULE)
      issues.push({
        path: "modules",
        message: "The workspace is chosen when a workload is created; a change keeps it as it is.",
      });
    if (module === REMOTE_ACCESS_MODULE)
      issues.push({
        path: "modules",
        message: "Remote access (tailscale) is chosen when a workload is created; a change cannot add or remove it.",
      });
  }
  for (const module of change.removeModules) {
    if (module !== WORKSPACE_MODULE && module !== REMOTE_ACCESS_MODULE && !current.modules.includes(module)) {
      issues.push({
        path: "modules",
        message: `"${current.name}" has no module "${module}" to remove (it has ${current.modules.join(", ") || "none"}).`,
      });
    }
  }
  if (current.kind === "vm") {
    if (
      change.addModules.length > 0 ||
      change.removeModules.length > 0 ||
      Object.keys(change.moduleOptions).length > 0
    ) {
      issues.push({
        path: "modules",
        message: "VMs have no modules to change; only their CPUs and memory can change.",
      });
    }
    if (change.pids !== undefined)
      issues.push({
        path: "pids",
        message: "A VM's processes live in its own kernel; it has no process limit to change.",
      });
    if (change.workspaceSize !== undefined)
      issues.push({ path: "workspaceSize", message: "Resizing a VM's workspace disk is not supported yet." });
    if (issues.length > 0) throw new InvalidInputError(issues);
    return {
      kind: "vm",
      name: current.name,
      cpus: change.cpus ?? current.cpus,
      memory: change.memory ?? current.memoryBytes,
      disk: current.diskBytes,
      workspace: current.workspaceBytes,
      sshKeys: [...current.sshKeys],
    };
  }
  if (change.workspaceSize !== undefined && !current.workspace.enabled) {
    issues.push({
      path: "workspaceSize",
      message: `"${current.name}" has no workspace to resize (a workspace is chosen when a workload is created).`,
    });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  const modules = [
    ...current.modules.filter((module) => !change.removeModules.includes(module)),
    ...change.addModules.filter((module) => !current.modules.includes(module)),
  ];
  const moduleOptions: Record<string, Record<string, ModuleOptionValue>> = {};
  for (const module of modules) {
    const kept = Object.hasOwn(current.moduleOptions, module) ? current.moduleOptions[module] : undefined;
    const given = Object.hasOwn(change.moduleOptions, module) ? change.moduleOptions[module] : undefined;
    if (kept !== undefined || given !== undefined) moduleOptions[module] = { ...kept, ...given };
  }
  // Options for a module that is neither kept nor added reach the validator, which names them.
  for (const module of Object.keys(change.moduleOptions))
    if (!modules.includes(module)) moduleOptions[module] = { ...change.moduleOptions[module] };
  // A new size is checked by the core against what the workspace holds and the owner's disk quota.
  const sizeBytes = current.workspace.enabled ? (change.workspaceSize ?? current.workspace.sizeBytes) : undefined;
  return {
    kind: "container",
    name: current.name,
    modules,
    moduleOptions,
    workspace: current.workspace.enabled
      ? { enabled: true, ...(sizeBytes === undefined ? {} : { size: sizeBytes }) }
      : { enabled: false },
    resources: {
      cpus: change.cpus ?? current.resources.cpus,
      memory: change.memory ?? current.resources.memoryBytes,
      pids: change.pids ?? current.resources.pids,
    },
    remoteAccess: current.remoteAccess,
  };
}

/** Every field that differs between `before` and `after`, in words. */
export function diffSpecs(before: WorkloadSpec, after: WorkloadSpec): FieldChange[] {
  const changes: FieldChange[] = [];
  const push = (field: string, a: string, b: string) => {
    if (a !== b) changes.push({ field, before: a, after: b });
  };
  const list = (modules: readonly string[]) => (modules.length === 0 ? "none" : modules.join(", "));
  const added = after.modules.filter((module) => !before.modules.includes(module));
  const removed = before.modules.filter((module) => !after.modules.includes(module));
  if (added.length > 0 || removed.length > 0) push("modules", list(before.modules), list(after.modules));
  for (const module of after.modules) {
    const a = before.modules.includes(module) ? (before.moduleOptions[module] ?? {}) : undefined;
    const b = after.moduleOptions[module] ?? {};
    if (a === undefined) continue;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      push(`${module}.${key}`, String(a[key] ?? "(unset)"), String(b[key] ?? "(unset)"));
  }
  push("cpus", String(before.resources.cpus), String(after.resources.cpus));
  push("memory", formatSize(before.resources.memoryBytes), formatSize(after.resources.memoryBytes));
  if (before.kind === "container" && after.kind === "container") {
    push("pids", String(before.resources.pids), String(after.resources.pids));
    const size = (spec: typeof before) =>
      spec.workspace.enabled && spec.workspace.sizeBytes !== undefined
        ? formatSize(spec.workspace.sizeBytes)
        : "no limit";
    if (before.workspace.enabled) push(WORKSPACE_SIZE_FIELD, size(before), size(after));
  }
  return changes;
}

/** Modules `after` no longer has. */
export function removedModules(before: WorkloadSpec, after: WorkloadSpec): string[] {
  return before.modules.filter((module) => !after.modules.includes(module));
}

/** The field a workspace size change shows as; the storage driver applies it, not the runtime. */
export const WORKSPACE_SIZE_FIELD = "workspace size";

/** The changes the runtime applies (all but the workspace size, which the storage driver changes in place). */
export function runtimeChanges(changes: readonly FieldChange[]): FieldChange[] {
  return changes.filter((change) => change.field !== WORKSPACE_SIZE_FIELD);
}

/** True when only resource limits differ (what a runtime with live resize can apply without a restart). */
export function onlyResourcesChanged(changes: readonly FieldChange[]): boolean {
  return changes.every((change) => change.field === "cpus" || change.field === "memory" || change.field === "pids");
}
