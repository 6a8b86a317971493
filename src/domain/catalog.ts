/**
 * The module catalog: the building blocks a container is composed from (git, fish,
 * code-server, …). The real catalog is read from the Nix module library's metadata; tests
 * use a fixture. Backends declare which of these they can provide.
 *
 * @module
 */

/** A network port a module listens on inside the container. */
export interface ModulePort {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
  readonly description: string;
  /** When set, the port number comes from this module option (e.g. code-server's `port`). */
  readonly option?: string;
}

/** One tunable of a module, e.g. code-server's `port`. */
export type ModuleOption =
  | { readonly type: "port"; readonly default: number; readonly description: string }
  | {
      readonly type: "int";
      readonly default: number;
      readonly min?: number;
      readonly max?: number;
      readonly description: string;
    }
  | { readonly type: "string"; readonly default: string; readonly pattern?: string; readonly description: string }
  | { readonly type: "boolean"; readonly default: boolean; readonly description: string };

/** Metadata of one workload module. */
export interface ModuleInfo {
  /** Lowercase, hyphenated, the file name in `nix/modules/` without `.nix`. */
  readonly name: string;
  /** One line for people and for the model's context. */
  readonly description: string;
  /** Names of secrets the module needs from the admin (e.g. `tailscale-auth-key`). */
  readonly secrets: readonly string[];
  /** Modules that cannot be combined with this one. */
  readonly conflicts: readonly string[];
  readonly ports: readonly ModulePort[];
  readonly options: Readonly<Record<string, ModuleOption>>;
}

/** Source of module metadata. */
export interface ModuleCatalog {
  /** All modules, sorted by name. */
  list(): readonly ModuleInfo[];
  get(name: string): ModuleInfo | undefined;
}

/** A catalog over a fixed list, for the Nix-derived JSON and for tests. */
export class StaticModuleCatalog implements ModuleCatalog {
  readonly #modules: ReadonlyMap<string, ModuleInfo>;

  constructor(modules: readonly ModuleInfo[]) {
    this.#modules = new Map(
      [...modules].sort((a, b) => a.name.localeCompare(b.name)).map((module) => [module.name, module]),
    );
  }

  list(): readonly ModuleInfo[] {
    return [...this.#modules.values()];
  }

  get(name: string): ModuleInfo | undefined {
    return this.#modules.get(name);
  }
}
