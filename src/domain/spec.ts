/**
 * Container specs: what a person asked for, validated against the module catalog, the
 * backend's capabilities and the admin's limits. A `ContainerSpec` is the only thing that
 * crosses into a backend; Nix reads it as JSON, never as generated Nix text.
 *
 * @module
 */
import { z } from "zod";
import type { ModuleCatalog, ModuleInfo, ModuleOption } from "./catalog.js";
import { InvalidInputError, type InputIssue } from "./errors.js";
import { workloadNameSchema, type WorkloadName } from "./names.js";
import { formatSize, sizeSchema } from "./sizes.js";
import type { VmSpec } from "./vm-spec.js";

/** A module option value after validation. */
export type ModuleOptionValue = string | number | boolean;

/** What a workload is. Runtimes declare which kind they run; specs are a union on this field. */
export type WorkloadKind = "container" | "vm";

/** Any validated workload spec. */
export type WorkloadSpec = ContainerSpec | VmSpec;

/** Narrows a spec for a container runtime; anything else is a wiring bug, refused plainly. */
export function requireContainerSpec(spec: WorkloadSpec): ContainerSpec {
  if (spec.kind === "container") return spec;
  throw new InvalidInputError([{ path: "kind", message: `This runtime runs containers, not ${spec.kind}s.` }]);
}

/** A fully validated container spec, with every default filled in. */
export interface ContainerSpec {
  readonly kind: "container";
  readonly name: WorkloadName;
  /** Module names, in the order given, without duplicates. */
  readonly modules: readonly string[];
  /** Options per module, only for selected modules, defaults filled in. */
  readonly moduleOptions: Readonly<Record<string, Readonly<Record<string, ModuleOptionValue>>>>;
  readonly workspace: { readonly enabled: true; readonly sizeBytes?: number } | { readonly enabled: false };
  /** `pids` is the most tasks (processes and threads) the container may run at once. */
  readonly resources: { readonly cpus: number; readonly memoryBytes: number; readonly pids: number };
  /** Private remote access (Tailscale). True exactly when the `tailscale` module is selected. */
  readonly remoteAccess: boolean;
}

/** Raw create input as adapters pass it (CLI flags, tool arguments, intent engine). */
export const containerSpecInputSchema = z.object({
  kind: z.literal("container").optional(),
  name: z.string(),
  modules: z.array(z.string()).default([]),
  moduleOptions: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).default({}),
  workspace: z.object({ enabled: z.boolean().default(true), size: sizeSchema.optional() }).default({ enabled: true }),
  resources: z
    .object({
      cpus: z.number().positive().optional(),
      memory: sizeSchema.optional(),
      pids: z.number().int().positive().optional(),
    })
    .default({}),
  remoteAccess: z.boolean().optional(),
});
export type ContainerSpecInput = z.input<typeof containerSpecInputSchema>;

/** Admin-set defaults and maxima for one workload's resources. */
export interface ResourcePolicy {
  readonly defaultCpus: number;
  readonly maxCpus: number;
  readonly defaultMemoryBytes: number;
  readonly maxMemoryBytes: number;
  readonly defaultPids: number;
  readonly maxPids: number;
}

/**
 * The smallest resources a workload may have, whatever the admin allows: below these a
 * container cannot boot (systemd alone needs tens of MiB and a few dozen tasks), and a
 * CPU share under 1 % is not a quota systemd or the kernel express.
 */
export const RESOURCE_MINIMUMS = { cpus: 0.01, memoryBytes: 64 * 1024 ** 2, pids: 16 } as const;

/**
 * Keys that must never become object keys: they reach `Object.prototype` (or a constructor)
 * through ordinary property access. Refused wherever a person chooses a key.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Everything spec validation needs to know about the world. */
export interface SpecContext {
  readonly catalog: ModuleCatalog;
  /** Module names the selected backend can realise; others are refused with a list. */
  readonly backendModules: ReadonlySet<string>;
  readonly backendName: string;
  readonly resources: ResourcePolicy;
}

/** The module that provides remote access. */
export const REMOTE_ACCESS_MODULE = "tailscale";
/** The module that mounts the persistent workspace. */
export const WORKSPACE_MODULE = "workspace";

/**
 * Validates raw input into a `ContainerSpec`, or throws `InvalidInputError` listing every
 * problem found (not just the first), each with the field it concerns.
 */
export function validateContainerSpec(input: unknown, context: SpecContext): ContainerSpec {
  // Checked before zod, which would copy a `__proto__` key into a fresh object's prototype.
  const forbidden = forbiddenOptionKeys(input);
  if (forbidden.length > 0) throw new InvalidInputError(forbidden);
  const parsed = containerSpecInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error));
  const raw = parsed.data;
  const issues: InputIssue[] = [];

  const name = workloadNameSchema.safeParse(raw.name);
  if (!name.success) issues.push(...zodIssues(name.error, "name"));

  const modules = normaliseModules(raw.modules, raw.remoteAccess, raw.workspace.enabled);
  issues.push(...checkModules(modules, context));
  const moduleOptions = resolveModuleOptions(modules, raw.moduleOptions, context.catalog, issues);

  const resources = resolveResources(raw.resources, context.resources, issues);
  if (issues.length > 0 || !name.success) throw new InvalidInputError(issues);

  return {
    kind: "container",
    name: name.data,
    modules,
    moduleOptions,
    workspace: raw.workspace.enabled
      ? raw.workspace.size === undefined
        ? { enabled: true }
        : { enabled: true, sizeBytes: raw.workspace.size }
      : { enabled: false },
    resources,
    remoteAccess: modules.includes(REMOTE_ACCESS_MODULE),
  };
}

function resolveResources(
  given: {
    readonly cpus?: number | undefined;
    readonly memory?: number | undefined;
    readonly pids?: number | undefined;
  },
  policy: ResourcePolicy,
  issues: InputIssue[],
): ContainerSpec["resources"] {
  const cpus = given.cpus ?? policy.defaultCpus;
  if (cpus < RESOURCE_MINIMUMS.cpus) {
    issues.push({
      path: "resources.cpus",
      message: `A workload needs at least ${RESOURCE_MINIMUMS.cpus} CPUs (asked for ${cpus}).`,
    });
  } else if (cpus > policy.maxCpus) {
    issues.push({
      path: "resources.cpus",
      message: `At most ${policy.maxCpus} CPUs per workload are allowed (asked for ${cpus}).`,
    });
  }
  const memoryBytes = given.memory ?? policy.defaultMemoryBytes;
  if (memoryBytes < RESOURCE_MINIMUMS.memoryBytes) {
    issues.push({
      path: "resources.memory",
      message: `A workload needs at least ${formatSize(RESOURCE_MINIMUMS.memoryBytes)} of memory (asked for ${formatSize(memoryBytes)}).`,
    });
  } else if (memoryBytes > policy.maxMemoryBytes) {
    issues.push({
      path: "resources.memory",
      message: `At most ${formatSize(policy.maxMemoryBytes)} of memory per workload is allowed (asked for ${formatSize(memoryBytes)}).`,
    });
  }
  const pids = given.pids ?? policy.defaultPids;
  if (pids < RESOURCE_MINIMUMS.pids) {
    issues.push({
      path: "resources.pids",
      message: `A workload needs at least ${RESOURCE_MINIMUMS.pids} processes (asked for ${pids}).`,
    });
  } else if (pids > policy.maxPids) {
    issues.push({
      path: "resources.pids",
      message: `At most ${policy.maxPids} processes per workload are allowed (asked for ${pids}).`,
    });
  }
  return { cpus, memoryBytes, pids };
}

/** Issues for module names or option keys in raw input that would reach an object's prototype. */
function forbiddenOptionKeys(input: unknown): InputIssue[] {
  if (input === null || typeof input !== "object") return [];
  const options = (input as { moduleOptions?: unknown }).moduleOptions;
  if (options === null || typeof options !== "object" || Array.isArray(options)) return [];
  const issues: InputIssue[] = [];
  for (const module of Object.keys(options)) {
    if (FORBIDDEN_KEYS.has(module)) {
      issues.push({ path: "moduleOptions", message: `"${module}" is not allowed as a module name.` });
      continue;
    }
    const values: unknown = (options as Record<string, unknown>)[module];
    if (values === null || typeof values !== "object" || Array.isArray(values)) continue;
    for (const key of Object.keys(values)) {
      if (FORBIDDEN_KEYS.has(key))
        issues.push({ path: `moduleOptions.${module}`, message: `"${key}" is not allowed as an option name.` });
    }
  }
  return issues;
}

// The workspace module follows the workspace flag and remote access follows the tailscale
// module, so the two ways of asking for each cannot disagree.
function normaliseModules(
  requested: readonly string[],
  remoteAccess: boolean | undefined,
  workspace: boolean,
): string[] {
  const modules = requested.map((module) => module.trim().toLowerCase());
  const withoutToggles = modules.filter(
    (module) =>
      (module !== WORKSPACE_MODULE || workspace) && (module !== REMOTE_ACCESS_MODULE || remoteAccess !== false),
  );
  if (workspace && !withoutToggles.includes(WORKSPACE_MODULE)) withoutToggles.push(WORKSPACE_MODULE);
  if (remoteAccess === true && !withoutToggles.includes(REMOTE_ACCESS_MODULE))
    withoutToggles.push(REMOTE_ACCESS_MODULE);
  return withoutToggles;
}

function checkModules(modules: readonly string[], context: SpecContext): InputIssue[] {
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  const available = context.catalog.list().map((module) => module.name);
  modules.forEach((module, index) => {
    const path = `modules.${index}`;
    if (seen.has(module)) {
      issues.push({ path, message: `The module "${module}" is listed twice.` });
      return;
    }
    seen.add(module);
    const info = context.catalog.get(module);
    if (!info) {
      issues.push({ path, message: `There is no module called "${module}". Available: ${available.join(", ")}.` });
      return;
    }
    if (!context.backendModules.has(module)) {
      const provided = available.filter((name) => context.backendModules.has(name));
      issues.push({
        path,
        message: `The ${context.backendName} backend cannot provide "${module}". It can provide: ${provided.join(", ")}.`,
      });
    }
    for (const other of info.conflicts) {
      if (modules.includes(other) && module < other) {
        issues.push({ path, message: `The modules "${module}" and "${other}" cannot be combined.` });
      }
    }
  });
  return issues;
}

function resolveModuleOptions(
  modules: readonly string[],
  given: Record<string, Record<string, ModuleOptionValue>>,
  catalog: ModuleCatalog,
  issues: InputIssue[],
): Record<string, Record<string, ModuleOptionValue>> {
  for (const module of Object.keys(given)) {
    if (!modules.includes(module))
      issues.push({
        path: `moduleOptions.${module}`,
        message: `Options were given for "${module}", which is not selected.`,
      });
  }
  // Null-prototype maps: keys come from people, and no key may reach Object.prototype.
  const result: Record<string, Record<string, ModuleOptionValue>> = Object.create(null) as Record<
    string,
    Record<string, ModuleOptionValue>
  >;
  for (const module of modules) {
    const info: ModuleInfo | undefined = catalog.get(module);
    if (!info || Object.keys(info.options).length === 0) continue;
    const values: Record<string, ModuleOptionValue> = Object.create(null) as Record<string, ModuleOptionValue>;
    const supplied = Object.hasOwn(given, module) ? given[module]! : {};
    for (const key of Object.keys(supplied)) {
      if (!Object.hasOwn(info.options, key)) {
        issues.push({
          path: `moduleOptions.${module}.${key}`,
          message: `"${module}" has no option "${key}". Its options: ${Object.keys(info.options).join(", ")}.`,
        });
      }
    }
    for (const [key, option] of Object.entries(info.options)) {
      const value = (Object.hasOwn(supplied, key) ? supplied[key] : undefined) ?? option.default;
      const problem = checkOption(option, value);
      if (problem) issues.push({ path: `moduleOptions.${module}.${key}`, message: `${module} ${key}: ${problem}` });
      else values[key] = value;
    }
    result[module] = values;
  }
  return result;
}

function checkOption(option: ModuleOption, value: ModuleOptionValue): string | undefined {
  switch (option.type) {
    case "port":
      return Number.isInteger(value) && (value as number) >= 1024 && (value as number) <= 65535
        ? undefined
        : "must be a port number from 1024 to 65535.";
    case "int":
      if (!Number.isInteger(value)) return "must be a whole number.";
      if (option.min !== undefined && (value as number) < option.min) return `must be at least ${option.min}.`;
      if (option.max !== undefined && (value as number) > option.max) return `must be at most ${option.max}.`;
      return undefined;
    case "string":
      if (typeof value !== "string") return "must be text.";
      if (option.pattern !== undefined && !new RegExp(option.pattern).test(value))
        return `must match ${option.pattern}.`;
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false.";
  }
}

/** Converts zod issues into input issues, optionally prefixing their paths. */
export function zodIssues(error: z.ZodError, prefix?: string): InputIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== undefined && part !== "").join("."),
    message: issue.message,
  }));
}
