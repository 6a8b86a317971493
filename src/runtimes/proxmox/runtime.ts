/**
 * The Proxmox VE runtime for `kind: vm` workloads: the `Runtime` port (plan, create, start,
 * stop, destroy, list, show, logs, doctor) plus restart. The composition root adds it to the
 * runtime registry as the VM runtime when `proxmox.url` is configured.
 * Policy (owners, quotas, confirmation, audit) stays in the core: this runtime only knows VMIDs,
 * nodes and the ledger, and refuses to change any VM it did not create.
 *
 * Lifecycle calls (qemu-server `PVE/API2/Qemu.pm`): `POST …/status/start`, `…/status/shutdown`
 * (`timeout`, `forceStop`), `…/status/reboot`, `…/status/stop`, `DELETE /nodes/{node}/qemu/{vmid}`
 * (`purge`, `destroy-unreferenced-disks`), each answering a UPID; a backup before destroy is
 * `POST /nodes/{node}/vzdump` (`vmid`, `storage`, `mode`) → UPID (pve-manager `PVE/API2/VZDump.pm`).
 * Listing is one `GET /cluster/resources?type=vm`; task history for `logs` is
 * `GET /nodes/{node}/tasks?vmid=N` (pve-manager `PVE/API2/Tasks.pm`).
 *
 * @module
 */
import type { TerminalProcess } from "../../ports/command-runner.js";
import { stat } from "node:fs/promises";
import { z } from "zod";
import { HostFailureError, InvalidInputError, NotFoundError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import type { Clock } from "../../ports/clock.js";
import type { WorkloadSpec } from "../../domain/spec.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type { DestroyOptions, DestroyReport, DoctorCheck, HostContext, ImageBuildReport, LiveContainer, LiveDetails, LiveState, LogEntry, ProgressListener, Runtime, RuntimeInfo, RuntimePlan } from "../../ports/runtime.js";
import type { Logger } from "../../ports/logger.js";
import type { ProxmoxVmidsRepository } from "../../state/proxmox-vmids-repository.js";
import { ProxmoxClient, segment } from "./api-client.js";
import { ProxmoxApiError } from "./api-error.js";
import { guestPath, settle, type ProxmoxContext } from "./context.js";
import { allowedNodesFor, chooseTemplate, createVm, readAgentAddresses, removeVm } from "./create-vm.js";
import { readJournal } from "./journal.js";
import { discardKeeper, isKeeper, keepWorkspaceDisk, KeptDiskStuckError } from "./kept-disks.js";
import { choosePlacement } from "./placement.js";
import { clusterResourcesSchema, lenientInteger, taskLogSchema, upidSchema, versionSchema } from "./schemas.js";
import { readTlsTrust, readTokenSecret, type ProxmoxSettings } from "./settings.js";
import { assertImportedAllowed, clusterVms, isOurs, resolveTarget, type ClusterVm, type ImportedOperation, type Target } from "./targets.js";
import { createVmidAllocator } from "./vmid-allocator.js";
import { requireVmSpec } from "../../domain/vm-spec.js";

/** Whether voxnix created a VM (and may change it) or found it in the cluster. */
export type VmManagement = "managed" | "imported";

/** One VM in the cluster, from the batch `list`. */
export interface LiveVm extends LiveContainer {
  readonly vmid: number;
  readonly node: string;
  readonly management: VmManagement;
}

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
  show(name: WorkloadName): Promise<(LiveDetails & { readonly vmid: number; readonly node: string; readonly management: VmManagement }) | undefined>;
  /** The VM's recent Proxmox task logs, oldest first, then (with `proxmox.journalViaAgent`) its journal; at most `lines` lines. */
  logs(name: WorkloadName, options: { readonly lines: number }): Promise<readonly LogEntry[]>;
  doctor(): Promise<readonly DoctorCheck[]>;
  /** Releases the API client's connections. */
  close(): Promise<void>;
}

/** How long a stop waits for the guest to power off by itself before Proxmox forces it. */
export const SHUTDOWN_SECONDS = 120;

const taskListSchema = z.array(z.object({ upid: upidSchema, type: z.string(), starttime: lenientInteger, status: z.string().optional() }));

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
  const listVms = async (ctx: ProxmoxContext): Promise<ClusterVm[]> => clusterVms(await ctx.client.get("/cluster/resources", clusterResourcesSchema, { type: "vm" }));

  // Resolves a name for a change, refusing imported VMs unless the operation is allowed.
  const forChange = async (name: WorkloadName, operation: ImportedOperation): Promise<{ ctx: ProxmoxContext; target: Target }> => {
    const ctx = await context();
    const target = resolveTarget(name, await listVms(ctx), ledger, settings.vmidRange);
    if (target.kind === "imported") assertImportedAllowed(target.vm, operation, settings.powerControlImports);
    return { ctx, target };
  };

  const requireVm = (name: string, target: Target): ClusterVm => {
    if (target.kind === "managed" || target.kind === "imported") return target.vm;
    if (target.kind === "missing") throw new HostFailureError(`The VM for "${name}" (VMID ${target.vmid}) is missing from the Proxmox cluster.`);
    throw new NotFoundError("workload", name);
  };

  const power = async (name: WorkloadName, operation: "start" | "stop" | "restart", onProgress: ProgressListener) => {
    const { ctx, target } = await forChange(name, operation);
    const vm = requireVm(name, target);
    const current = await ctx.client.get(guestPath(vm.node, vm.vmid, "/status/current"), z.object({ status: z.string() }));
    if (operation === "start" && current.status === "running") return;
    if (operation === "stop" && current.status === "stopped") return;
    onProgress({ type: "step", step: operation === "stop" ? "stopping" : "starting", message: `${operation === "stop" ? "Stopping" : operation === "start" ? "Starting" : "Restarting"} VM ${vm.vmid} on ${vm.node}` });
    const path =
      operation === "start" ? "/status/start" : operation === "stop" ? "/status/shutdown" : current.status === "running" ? "/status/reboot" : "/status/start";
    // A clean shutdown gets up to two minutes (never longer than the task may run), then Proxmox forces it off.
    const params = operation === "stop" ? { timeout: Math.max(10, Math.min(SHUTDOWN_SECONDS, Math.round(settings.taskTimeoutMs / 1000) - 10)), forceStop: true } : {};
    await settle(ctx, await ctx.client.post(guestPath(vm.node, vm.vmid, path), upidSchema, params), `${operation} VM ${vm.vmid}`, onProgress);
  };

  return {
    info: () => ({
      name: "proxmox",
      kind: "vm",
      modules: new Set<string>(),
      // The cluster provides the disks; no exec or shell through voxnix (the guest agent's exec needs a far broader token).
      capabilities: { exec: false, interactiveShell: false, console: false, remoteAccess: false, liveResize: false, rootVolume: "managed" },
    }),

    async plan(input) {
      const spec = requireVmSpec(input);
      const ctx = await context();
      const resources = await ctx.client.get("/cluster/resources", clusterResourcesSchema);
      const templateId = chooseTemplate(settings, spec);
      const template = clusterVms(resources).find((vm) => vm.vmid === templateId);
      const placement = choosePlacement(resources, { memoryBytes: spec.memoryBytes, allowedNodes: allowedNodesFor(settings, spec), strategy: settings.placement });
      const newid = `<next VMID in ${settings.vmidRange.first}-${settings.vmidRange.last}>`;
      const templateNode = template?.node ?? "<template node>";
      const guest = `/nodes/${placement.node}/qemu/${newid}`;
      return {
        artifacts: [],
        commands: [
          ["GET", `/cluster/nextid?vmid=${newid}`],
          ["POST", `/nodes/${templateNode}/qemu/${templateId}/clone`, `newid=${newid}`, `name=${spec.name}`, ...(templateNode === placement.node ? [] : [`target=${placement.node}`])],
          ["POST", `${guest}/config`, `cores=${spec.cpus}`, `memory=${Math.ceil(spec.memoryBytes / 1024 ** 2)}`, `ciuser=${settings.ciUser}`, `ipconfig0=${settings.ipConfig}`, `sshkeys=<${spec.sshKeys.length} key(s)>`],
          ["PUT", `${guest}/resize`, `disk=${settings.disk}`, `size=${Math.ceil(spec.diskBytes / 1024 ** 2)}M`],
          ["POST", `${guest}/config`, `${settings.workspaceDisk}=${settings.workspaceStorage ?? "<root disk's storage>"}:${Math.ceil(spec.workspaceBytes / 1024 ** 2) / 1024},backup=1,discard=on`],
          ["POST", `${guest}/status/start`],
        ],
      };
    },

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
        return { warnings: [`VM "${name}" was left in place: it holds the kept workspace disk that a failed restore could not move back.`] };
      }
      const { ctx, target } = await forChange(name, "destroy");
      if (target.kind === "unknown") return { warnings: [] };
      if (target.kind === "missing") {
        ledger.release(target.vmid, "VM found missing at destroy", clock.now());
        return { warnings: [`The VM (VMID ${target.vmid}) was already gone from the cluster.`] };
      }
      const vm = requireVm(name, target);
      if (settings.backupStorage !== undefined) {
        onProgress({ type: "step", step: "snapshotting", message: `Backing up VM ${vm.vmid} to ${settings.backupStorage}` });
        const upid = await ctx.client.post(`/nodes/${segment(vm.node)}/vzdump`, upidSchema, { vmid: vm.vmid, storage: settings.backupStorage, mode: "snapshot", compress: "zstd" });
        await settle(ctx, upid, `back up VM ${vm.vmid}`, onProgress);
      }
      // The core's "keep the root disk for the undo window": on Proxmox what is worth keeping is the
      // workspace disk (the root is a template clone), kept in a keeper VM (kept-disks.ts).
      let kept: { ref: string; bytes: number } | undefined;
      if (keepRootDisk !== undefined) {
        // A used disk cannot leave a running VM; the VM is going anyway.
        await stopHard(ctx, vm, onProgress);
        kept = await keepWorkspaceDisk(ctx, vm, name, keepRootDisk, onProgress);
      }
      await removeVm(ctx, vm.node, vm.vmid, onProgress);
      ledger.release(vm.vmid, "destroyed", clock.now());
      logger.info({ workload: name, vmid: vm.vmid, node: vm.node, kept: kept?.ref }, "proxmox vm destroyed");
      return { warnings: [], ...(kept ? { keptRootDisk: kept } : {}) };
    },

    async discardRootDisk(ref) {
      await discardKeeper(await context(), ref);
    },

    async list() {
      const ctx = await context();
      const vms = await listVms(ctx);
      return vms
        .filter((vm) => !vm.template && !isKeeper(vm, ctx))
        .map((vm) => ({ name: vm.name, state: liveState(vm.status), addresses: [], vmid: vm.vmid, node: vm.node, management: managementOf(vm, ledger, settings) }));
    },

    async show(name) {
      const ctx = await context();
      const target = resolveTarget(name, await listVms(ctx), ledger, settings.vmidRange);
      if (target.kind !== "managed" && target.kind !== "imported") return undefined;
      const vm = target.vm;
      const addresses = vm.status === "running" ? await readAgentAddresses(ctx, vm.node, vm.vmid).catch(() => []) : [];
      return {
        name: vm.name,
        state: liveState(vm.status),
        addresses,
        vmid: vm.vmid,
        node: vm.node,
        management: target.kind,
        facts: { vmid: String(vm.vmid), node: vm.node, management: target.kind },
      };
    },

    async logs(name, { lines }) {
      const ctx = await context();
      const target = resolveTarget(name, await listVms(ctx), ledger, settings.vmidRange);
      const vm = requireVm(name, target);
      const tasks = await ctx.client.get(`/nodes/${segment(vm.node)}/tasks`, taskListSchema, { vmid: vm.vmid, limit: 5, source: "all" });
      const entries: LogEntry[] = [];
      for (const task of [...tasks].sort((a, b) => a.starttime - b.starttime)) {
        const log = await ctx.client.get(`/nodes/${segment(vm.node)}/tasks/${segment(task.upid)}/log`, taskLogSchema, { start: 0, limit: Math.max(1, lines) });
        for (const line of log) entries.push({ time: new Date(task.starttime * 1000), unit: `task ${task.type}`, message: line.t });
      }
      // The journal comes last (it is what people usually want); only for VMs voxnix manages.
      if (settings.journalViaAgent && target.kind === "managed" && vm.status === "running") {
        entries.push(...(await readJournal(ctx, vm.node, vm.vmid, lines).catch((error: unknown) => [{ unit: "journal", message: `(journal unavailable: ${(error as Error).message})` }])));
      }
      return entries.slice(-lines);
    },

    async exec(): Promise<CommandResult> {
      throw new InvalidInputError([{ path: "", message: "Running commands in a Proxmox VM through voxnix is not supported; log in with SSH instead." }]);
    },

    async openTerminal(): Promise<TerminalProcess> {
      throw new InvalidInputError([{ path: "", message: "A terminal into a Proxmox VM through voxnix is not supported; log in with SSH instead." }]);
    },

    doctor: () => doctor(context, settings, ledger),

    async buildImages(): Promise<ImageBuildReport> {
      return { images: [{ name: "proxmox", detail: `VMs are cloned from the cluster's template ${settings.template} (proxmox.template); voxnix builds no images for them.` }] };
    },

    async close() {
      if (contextPromise) await (await contextPromise).client.close();
    },
  };
}

// The registry hands runtimes specs of their own kind; a container spec here is a wiring bug or a confused request.

async function stopHard(ctx: ProxmoxContext, vm: ClusterVm, onProgress: ProgressListener): Promise<void> {
  const status = await ctx.client.get(guestPath(vm.node, vm.vmid, "/status/current"), z.object({ status: z.string() }));
  if (status.status === "stopped") return;
  onProgress({ type: "step", step: "stopping", message: `Stopping VM ${vm.vmid}` });
  await settle(ctx, await ctx.client.post(guestPath(vm.node, vm.vmid, "/status/stop"), upidSchema), `stop VM ${vm.vmid}`, onProgress);
}

function liveState(status: string): LiveState {
  return status === "running" ? "running" : status === "stopped" ? "stopped" : "unknown";
}

function managementOf(vm: ClusterVm, ledger: ProxmoxVmidsRepository, settings: ProxmoxSettings): VmManagement {
  const record = ledger.get(vm.vmid);
  const live = record !== undefined && (record.state === "active" || record.state === "reserved") && record.workload === vm.name;
  return live && isOurs(vm, vm.name, settings.vmidRange, record.state === "active") ? "managed" : "imported";
}

async function doctor(context: () => Promise<ProxmoxContext>, settings: ProxmoxSettings, ledger: ProxmoxVmidsRepository): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [await checkSecretFile(settings.tokenSecretFile)];
  let ctx: ProxmoxContext;
  try {
    ctx = await context();
  } catch (error) {
    return [...checks, { name: "proxmox API", ok: false, detail: (error as Error).message, fix: "Check proxmox.tls.caFile." }];
  }
  try {
    const version = await ctx.client.get("/version", versionSchema);
    checks.push({ name: "proxmox API reachable", ok: true, detail: `Proxmox VE ${version.version} at ${settings.url}.` });
    checks.push({ name: "proxmox token", ok: true, detail: `The token ${settings.tokenId} is accepted.` });
  } catch (error) {
    if (error instanceof ProxmoxApiError && error.status === 401) {
      checks.push({ name: "proxmox API reachable", ok: true, detail: `${settings.url} answers.` });
      checks.push({ name: "proxmox token", ok: false, detail: error.message, fix: "Create the token as docs/proxmox.md describes and put its secret in proxmox.tokenSecretFile." });
    } else {
      checks.push({ name: "proxmox API reachable", ok: false, detail: (error as Error).message, fix: "Check proxmox.url, the network path to port 8006, and proxmox.tls." });
    }
    return checks;
  }
  try {
    const resources = await ctx.client.get("/cluster/resources", clusterResourcesSchema);
    const template = clusterVms(resources).find((vm) => vm.vmid === settings.template);
    checks.push(
      template?.template
        ? { name: "proxmox template", ok: true, detail: `Template ${settings.template} ("${template.name}") is on node ${template.node}.` }
        : {
            name: "proxmox template",
            ok: false,
            detail: template ? `VMID ${settings.template} is a VM, not a template.` : `No template with VMID ${settings.template} is visible to the token.`,
            fix: "Prepare a cloud-init template (docs/proxmox.md) and set proxmox.template to its VMID; the token needs VM.Audit and VM.Clone on it.",
          },
    );
    const nodes = resources.filter((resource) => resource.type === "node");
    const usable = nodes.filter((node) => node.status === "online" && (settings.nodes.length === 0 || settings.nodes.includes(node.node ?? "")));
    checks.push(
      usable.length > 0
        ? { name: "proxmox nodes", ok: true, detail: `${usable.length} of ${nodes.length} node(s) online and allowed: ${usable.map((node) => node.node).join(", ")}.` }
        : { name: "proxmox nodes", ok: false, detail: `No node is both online and allowed (proxmox.nodes: ${settings.nodes.join(", ") || "all"}).`, fix: "Bring a node online or widen proxmox.nodes." },
    );
  } catch (error) {
    checks.push({ name: "proxmox template", ok: false, detail: (error as Error).message });
  }
  const used = ledger.all().filter((record) => record.vmid >= settings.vmidRange.first && record.vmid <= settings.vmidRange.last).length;
  const size = settings.vmidRange.last - settings.vmidRange.first + 1;
  checks.push(
    used < size
      ? { name: "proxmox VMID range", ok: true, detail: `${used} of ${size} VMIDs in ${settings.vmidRange.first}–${settings.vmidRange.last} used so far (IDs are never reused).` }
      : { name: "proxmox VMID range", ok: false, detail: `All ${size} VMIDs in ${settings.vmidRange.first}–${settings.vmidRange.last} are used.`, fix: "Widen proxmox.vmidRange." },
  );
  return checks;
}

async function checkSecretFile(file: string): Promise<DoctorCheck> {
  const name = "proxmox token secret file";
  try {
    const info = await stat(file);
    if ((info.mode & 0o004) !== 0) return { name, ok: false, detail: `${file} is readable by every user on the host.`, fix: `chmod 0400 ${file}` };
    await readTokenSecret(file);
    return { name, ok: true, detail: `${file} is present and private.` };
  } catch (error) {
    return { name, ok: false, detail: error instanceof HostFailureError ? error.message : `${file} does not exist.`, fix: "Put exactly the token's secret in this file (agenix)." };
  }
}
