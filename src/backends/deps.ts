/**
 * What every backend factory receives from the composition root.
 *
 * @module
 */
import type { Config } from "../app/config-schema.js";
import type { ModuleCatalog } from "../domain/catalog.js";
import type { AddressLeases } from "../ports/address-leases.js";
import type { Clock } from "../ports/clock.js";
import type { CommandRunner, ProcessSpawner } from "../ports/command-runner.js";
import type { Logger } from "../ports/logger.js";

/**
 * The configuration a runtime or driver reads. It is the composition root's validated
 * `Config`, handed in through these deps: runtimes and drivers never import the app (lint
 * enforces it). Narrowing it to per-runtime settings types is still to do (issue 9).
 */
export type RuntimeConfig = Config;

export interface BackendDeps {
  readonly config: Config;
  /** Absolute state directory; backends keep their generated files below it. */
  readonly stateDir: string;
  readonly runner: CommandRunner;
  /** Streams long-lived sessions (SSH, browser terminal); without it, backends offer no sessions. */
  readonly spawner?: ProcessSpawner;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly leases: AddressLeases;
  readonly catalog: ModuleCatalog;
}
