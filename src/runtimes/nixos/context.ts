/**
 * What every part of the nixos backend shares: dependencies, timeouts, and where host files
 * are looked up (`hostRoot`, `/` on a real host, a temporary directory in contract tests).
 *
 * @module
 */
import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackendDeps } from "../../backends/deps.js";
import type { Logger } from "../../ports/logger.js";
import { recordsDir } from "./artifacts.js";

/** Options for tests and unusual hosts. */
export interface NixosRuntimeOptions {
  /** Prefix for host paths such as `/etc/nixos-containers`; defaults to `/`. */
  readonly hostRoot?: string;
  /** Timeout for read-only queries (list, show, logs) in milliseconds; defaults to 15 s. */
  readonly queryTimeoutMs?: number;
  /** Timeout for the best-effort Tailscale logout before destroy; defaults to 15 s. */
  readonly logoutTimeoutMs?: number;
}

/** Shared state of one backend instance. */
export interface NixosContext {
  readonly deps: BackendDeps;
  readonly logger: Logger;
  readonly hostRoot: string;
  readonly createTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly logoutTimeoutMs: number;
}

/** Builds the shared context from dependencies and options. */
export function createContext(deps: BackendDeps, options: NixosRuntimeOptions = {}): NixosContext {
  return {
    deps,
    logger: deps.logger.child({ backend: "nixos" }),
    hostRoot: options.hostRoot ?? "/",
    createTimeoutMs: deps.config.nixos.createTimeoutSeconds * 1000,
    commandTimeoutMs: deps.config.nixos.commandTimeoutSeconds * 1000,
    queryTimeoutMs: options.queryTimeoutMs ?? 15_000,
    logoutTimeoutMs: options.logoutTimeoutMs ?? 15_000,
  };
}

/** The host path of a container's conf file: the evidence that it is installed. */
export function confPath(context: NixosContext, name: string): string {
  return join(context.hostRoot, "etc", "nixos-containers", `${name}.conf`);
}

/** True when the container is installed on the host (its conf file exists). */
export async function isInstalled(context: NixosContext, name: string): Promise<boolean> {
  try {
    await access(confPath(context, name));
    return true;
  } catch {
    return false;
  }
}

/** What the backend remembers about a container it created (never used for ownership). */
export interface ContainerRecord {
  readonly name: string;
  readonly modules: readonly string[];
  readonly createdAt: string;
}

/** Reads the record of a container, or undefined. */
export async function readRecord(context: NixosContext, name: string): Promise<ContainerRecord | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(recordsDir(context.deps.stateDir), `${name}.json`), "utf8"),
    ) as Partial<ContainerRecord>;
    if (!Array.isArray(parsed.modules)) return undefined;
    return {
      name,
      modules: parsed.modules.filter((module): module is string => typeof module === "string"),
      createdAt: String(parsed.createdAt),
    };
  } catch {
    return undefined;
  }
}

/** Writes the record of a container. */
export async function writeRecord(context: NixosContext, record: ContainerRecord): Promise<void> {
  const directory = recordsDir(context.deps.stateDir);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFile(join(directory, `${record.name}.json`), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the record of a container; a missing one succeeds. */
export async function removeRecord(context: NixosContext, name: string): Promise<void> {
  await rm(join(recordsDir(context.deps.stateDir), `${name}.json`), { force: true });
}
