/**
 * The Proxmox VE runtime for `kind: vm` workloads: the `Runtime` port (plan, create, start,
 * stop, destroy, list, show, logs, doctor) plus restart. The composition root adds it to the
 * runtime registry as the VM runtime when `proxmox.url` is configured.
 * Policy (owners, quotas, confirmation, audit) stays in the core: this runtime only knows VMIDs,
 * nodes and the ledger, and refuses to change any VM it did not create (imported VMs are only
 * shown, and started or stopped when the core says their entry allows it).
 *
 * This file wires the parts together; each job lives in its own module: `create-vm.ts` (clone,
 * configure, start, roll back), `plan-vm.ts` (the dry run), `power.ts` (start, stop, restart),
 * `destroy-vm.ts` (backup, kept disk, delete), `queries.ts` (list, show, logs), `kept-disks.ts`
 * (the undo window's keeper VMs), `imported-vms.ts`, `doctor.ts`, and `targets.ts` (which VM a
 * name means and whether it may be changed).
 *
 * @module
 */
import { HostFailureError, InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { Clock } from "../../ports/clock.js";
import type { WorkloadSpec } from "../../domain/spec.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type {
  DestroyOptions,
  DestroyReport,
  DoctorCheck,
  HostContext,
  ImageBuildReport,
  ImportedVmControl,
  LogEntry,
  ProgressListener,
  Runtime,
  RuntimeInfo,
  RuntimePlan,
} from "../../ports/runtime.js";
import type { Logger } from "../../ports/logger.js";
import type { ProxmoxVmidsRepository } from "../../state/proxmox-vmids-repository.js";
import { requireVmSpec } from "../../domain/vm-spec.js";
import { ProxmoxClient } from "./api-client.js";
import type { ProxmoxContext } from "./context.js";
import { createVm } from "./create-vm.js";
import { destroyVm } from "./destroy-vm.js";
import { doctor } from "./doctor.js";
import { importedVmControl } from "./imported-vms.js";
import { discardKeeper, KeptDiskStuckError } from "./kept-disks.js";
import { planCreate } from "./plan-vm.js";
import { changePower, type PowerOperation } from "./power.js";
import { listClusterVms, readVmLogs, toLiveVms, vmDetails, type LiveVm, type VmDetails } from "./queries.js";
import { readTlsTrust, readTokenSecret, type ProxmoxSettings } from "./settings.js";
import {
  assertImportedAllowed,
  resolveTarget,
  type ClusterVm,
  type ImportedOperation,
  type Target,
} from "./targets.js";
import { createVmidAllocator } from "./vmid-allocator.js";

export { SHUTDOWN_SECONDS } from "./power.js";
export type { LiveVm, VmManagement } from "./queries.js";

export interface ProxmoxRuntimeDeps {
  readonly settings: ProxmoxSettings;
  readonly ledger: ProxmoxVmidsRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Interval between task and guest-agent polls (default 1 s). */
  readonly pollMs?: number;
}

/**
 * The runtime: the `Runtime` port for `kind: vm`, plus `restart` and `close`. Every method
 * resolves or throws a classified `VoxnixError`. Container specs are refused.
 */
export interface ProxmoxRuntime extends Runtime {
  info(): RuntimeInfo & { readonly kind: "vm" };
  /** The API calls `create` would make, for `--dry-run`; reads the cluster, changes nothing. */
  plan(spec: WorkloadSpec, host?: Omit<HostContext, "onProgress" | "signal">): Promise<RuntimePlan>;
  /** Clones, configures and starts the VM; resolves once the guest agent reports an address (`show` then has it). */
  create(spec: WorkloadSpec, host: HostContext): Promise<void>;
  start(name: WorkloadName, options: { readonly onProgress: ProgressListener }): Promise<void>;
  /** Clean shutdown, forced after the task timeout. Stopping a stopped VM succeeds. */
  stop(name: WorkloadName, options: { readonly onProgress: ProgressListener }): Promise<void>;
  restart(name: WorkloadName, options: { readonly onProgress: ProgressListener }): Promise<void>;
  /**
   * Backup (when configured), stop, keep the workspace disk (with `keep`, in a keeper VM; see
   * `kept-disks.ts`), delete with disks; releases the VMID for good. Unknown names succeed.
   */
  destroy(name: WorkloadName, options: DestroyOptions): Promise<DestroyReport>;
  /** Deletes a keeper VM and the disk it holds (the undo window passed, or a restore emptied it). */
  discardRootDisk(ref: string): Promise<void>;
  /** Every VM in the cluster, managed or imported, from one `/cluster/resources` call. */
  list(): Promise<readonly LiveVm[]>;
  show(name: WorkloadName): Promise<VmDetails | undefined>;
  /** The VM's recent Proxmox task logs, oldest first, then (with `proxmox.journalViaAgent`) its journal; at most `lines` lines. */
  logs(name: WorkloadName, options: { readonly lines: number }): Promise<readonly LogEntry[]>;
  /** Imported VMs: shown, and started or stopped when the core allows it. */
  readonly importedVms: ImportedVmControl;
  doctor(): Promise<readonly DoctorCheck[]>;
  /** Releases the API client's connections. */
  close(): Promise<void>;
}

/**
 * Creates the Proxmox runtime. The API client is built on first use (it reads the CA file), so
 * creating the runtime touches nothing.
 */
export function createProxmoxRuntime(deps: ProxmoxRuntimeDeps): ProxmoxRuntime {
  const { settings, ledger, clock } = deps;
  const logger = deps.logger.child({ component: "proxmox" });
  let contextPromise: Promise<ProxmoxContext> | undefined;
  const context = (): Promise<ProxmoxContext> => {
    contextPromise ??= (async () => {
      const client = new ProxmoxClient({
        baseUrl: settings.url,
        tokenId: settings.tokenId,
        readTokenSecret: () => readTokenSecret(settings.tokenSecretFile),
        trust: await readTlsTrust(settings),
        timeoutMs: settings.requestTimeoutMs,
        logger,
      });
      const allocator = createVmidAllocator({ client, ledger, range: settings.vmidRange, clock, logger });
      return { settings, client, ledger, allocator, clock, logger, pollMs: deps.pollMs ?? 1000 };
    })();
    contextPromise.catch(() => (contextPromise = undefined));
    return contextPromise;
  };

  // Names whose failed restore left the kept disk inside the new VM (this process only; an admin resolves them).
  const holdingKeptDisk = new Set<string>();

  // Resolves a name for a change, refusing imported VMs unless the operation is allowed.
  const forChange = async (
    name: WorkloadName,
    operation: ImportedOperation,
  ): Promise<{ ctx: ProxmoxContext; target: Target }> => {
    const ctx = await context();
    const target = resolveTarget(name, await listClusterVms(ctx), ledger, settings.vmidRange);
    if (target.kind === "imported") assertImportedAllowed(target.vm, operation, settings.powerControlImports);
    return { ctx, target };
  };

  const requireVm = (name: string, target: Target): ClusterVm => {
    if (target.kind === "managed" || target.kind === "imported") return target.vm;
    if (target.kind === "missing")
      throw new HostFailureError(`The VM for "${name}" (VMID ${target.vmid}) is missing from the Proxmox cluster.`);
    throw new NotFoundError("workload", name);
  };

  const power = async (name: WorkloadName, operation: PowerOperation, onProgress: ProgressListener) => {
    const { ctx, target } = await forChange(name, operation);
    await changePower(ctx, requireVm(name, target), operation, onProgress);
  };

  return {
    info: () => ({
      name: "proxmox",
      kind: "vm",
      // What destroy keeps (destroy-vm.ts): the workspace disk, never the root disk (a template clone).
      keptDisk: { words: "its workspace disk (kept in a keeper VM on the cluster)", holdsWorkspace: true },
      modules: new Set<string>(),
      // The cluster provides the disks; no exec or shell through voxnix (the guest agent's exec needs a far broader token).
      capabilities: {
        exec: false,
        interactiveShell: false,
        console: false,
        remoteAccess: false,
        liveResize: false,
        rootVolume: "managed",
      },
    }),

    plan: async (input) => planCreate(await context(), requireVmSpec(input)),

    async create(input, host) {
      const spec = requireVmSpec(input);
      const ctx = await context();
      try {
        await createVm(ctx, spec, host);
      } catch (error) {
        if (error instanceof KeptDiskStuckError) holdingKeptDisk.add(spec.name);
        throw error;
      }
    },

    start: (name, options) => power(name, "start", options.onProgress),
    stop: (name, options) => power(name, "stop", options.onProgress),
    restart: (name, options) => power(name, "restart", options.onProgress),

    async destroy(name, { onProgress, keepRootDisk }) {
      // The core's rollback of a failed restore must not delete the VM still holding the person's data.
      if (holdingKeptDisk.has(name) && keepRootDisk === undefined) {
        return {
          warnings: [
            `VM "${name}" was left in place: it holds the kept workspace disk that a failed restore could not move back.`,
          ],
        };
      }
      const { ctx, target } = await forChange(name, "destroy");
      if (target.kind === "unknown") return { warnings: [] };
      if (target.kind === "missing") {
        ledger.release(target.vmid, "VM found missing at destroy", clock.now());
        return { warnings: [`The VM (VMID ${target.vmid}) was already gone from the cluster.`] };
      }
      return destroyVm(ctx, requireVm(name, target), name, {
        onProgress,
        ...(keepRootDisk === undefined ? {} : { keepRootDisk }),
      });
    },

    async discardRootDisk(ref) {
      await discardKeeper(await context(), ref);
    },

    async list() {
      const ctx = await context();
      return toLiveVms(ctx, await listClusterVms(ctx));
    },

    async show(name) {
      const ctx = await context();
      const target = resolveTarget(name, await listClusterVms(ctx), ledger, settings.vmidRange);
      if (target.kind !== "managed" && target.kind !== "imported") return undefined;
      return vmDetails(ctx, target.vm, target.kind);
    },

    async logs(name, { lines }) {
      const ctx = await context();
      const target = resolveTarget(name, await listClusterVms(ctx), ledger, settings.vmidRange);
      return readVmLogs(ctx, requireVm(name, target), target.kind === "managed" ? "managed" : "imported", lines);
    },

    importedVms: importedVmControl(context, settings.powerControlImports),

    async exec(): Promise<CommandResult> {
      throw new InvalidInputError([
        {
          path: "",
          message: "Running commands in a Proxmox VM through voxnix is not supported; log in with SSH instead.",
        },
      ]);
    },

    doctor: async () => doctor(context, settings, ledger),

    async buildImages(): Promise<ImageBuildReport> {
      return {
        images: [
          {
            name: "proxmox",
            detail: `VMs are cloned from the cluster's template ${settings.template} (proxmox.template); voxnix builds no images for them.`,
          },
        ],
      };
    },

    async close() {
      if (contextPromise) await (await contextPromise).client.close();
    },
  };
}
