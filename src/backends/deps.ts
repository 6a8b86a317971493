/**
 * What every backend factory receives from the composition root.
 *
 * @module
 */
import type { StorageSettings } from "./storage/settings-schema.js";
import type { TailscaleSettings } from "./network/tailscale/settings-schema.js";
import type { MicrovmSettings } from "../runtimes/microvm/settings-schema.js";
import type { NixosSettings } from "../runtimes/nixos/settings-schema.js";
import type { NspawnSettings } from "../runtimes/nspawn/settings-schema.js";
import type { ProxmoxConfigSection } from "../runtimes/proxmox/settings-schema.js";
import type { VmSettings } from "../runtimes/qemu/settings-schema.js";
import type { ModuleCatalog } from "../domain/catalog.js";
import type { AddressLeases } from "../ports/address-leases.js";
import type { Clock } from "../ports/clock.js";
import type { CommandRunner, ProcessSpawner } from "../ports/command-runner.js";
import type { Logger } from "../ports/logger.js";
import type { RootVolumeRequest, RootVolumes } from "../ports/root-volumes.js";
import type { DiskVolumeRequest, DiskVolumes } from "../ports/disk-volumes.js";

/**
 * The configuration runtimes and drivers read: each one's own section, typed by the schema in
 * its own folder (`runtimes/<name>/settings-schema.ts`, `backends/storage/settings-schema.ts`,
 * …), which the app's schema composes. The composition root hands its validated `Config`,
 * which has these sections and more; runtimes and drivers see only these and never import the
 * app (lint enforces it).
 */
export interface RuntimeConfig {
  readonly nspawn: NspawnSettings;
  readonly nixos: NixosSettings;
  /** VMs: which runtime runs them, and the QEMU runtime's settings. */
  readonly vm: VmSettings;
  readonly microvm: MicrovmSettings;
  readonly proxmox: ProxmoxConfigSection;
  readonly storage: StorageSettings;
  readonly tailscale: TailscaleSettings;
  /** The per-workload defaults image builds use (the app's `resources` section). */
  readonly resources: { readonly defaultCpus: number; readonly defaultMemory: number; readonly defaultPids: number };
}

export interface BackendDeps {
  readonly config: RuntimeConfig;
  /** Absolute state directory; backends keep their generated files below it. */
  readonly stateDir: string;
  readonly runner: CommandRunner;
  /** Streams long-lived sessions (SSH, browser terminal); without it, backends offer no sessions. */
  readonly spawner?: ProcessSpawner;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly leases: AddressLeases;
  readonly catalog: ModuleCatalog;
  /**
   * The storage driver's root volumes (`StorageDriver.rootVolumes`), for runtimes whose roots
   * are file-system trees cloned from an image (nspawn); absent when the driver offers none.
   */
  readonly rootVolumes?: (request: RootVolumeRequest) => RootVolumes;
  /**
   * The storage driver's disk volumes (`StorageDriver.diskVolumes`), for runtimes whose
   * workloads boot from disk images (the VM runtimes); absent when the driver offers none.
   */
  readonly diskVolumes?: (request: DiskVolumeRequest) => DiskVolumes;
}
