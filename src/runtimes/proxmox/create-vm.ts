/**
 * Creating a VM on Proxmox: allocate a VMID (ledger + `nextid`), clone the template onto the
 * chosen node, set cores, memory and cloud-init, grow the disk, start, and wait until the guest
 * agent reports an address. Each step that succeeded registers its undo; a failure deletes the
 * half-made VM (stop, then delete with `purge`) and releases its VMID, which is never reused.
 *
 * API calls (qemu-server `PVE/API2/Qemu.pm` unless noted):
 * - `POST /nodes/{templateNode}/qemu/{template}/clone` `newid`, `name`, `full`, `target`,
 *   `storage` (full clones only), `pool` → UPID (`clone_vm`). Proxmox refuses a taken `newid`
 *   at once ("unable to create VM N: config file already exists", HTTP 500) or, when two clones
 *   race, in the task; either way voxnix records the ID as taken and tries the next one. A linked
 *   clone on storage without the feature fails with "clone feature is not supported"; in
 *   `cloneMode: auto` voxnix then makes a full clone.
 * - `POST …/config` `cores`, `memory` (MiB), `ciuser`, `sshkeys` (URL-encoded), `ipconfig0`,
 *   `tags`, `agent` → UPID or null (`update_vm_async`).
 * - `PUT …/resize` `disk`, `size` (absolute; shrinking is refused, so voxnix only grows) → UPID.
 * - `POST …/status/start` → UPID (`vm_start`).
 * - `GET …/agent/network-get-interfaces` → `{ result: [{ name, "ip-addresses": […] }] }`
 *   (`PVE/API2/Qemu/Agent.pm`); 500 "QEMU guest agent is not running" until the guest is up.
 *
 * @module
 */
import { isIP } from "node:net";
import { ConflictError, HostFailureError, InvalidInputError, TimeoutError } from "../../domain/errors.js";
import { formatSize } from "../../domain/sizes.js";
import { Reverter } from "../../domain/reverter.js";
import type { ProgressListener } from "../../ports/runtime.js";
import { segment } from "./api-client.js";
import { isVmidTaken, ProxmoxApiError } from "./api-error.js";
import { encodeSshKeys } from "./cloud-init.js";
import { guestPath, settle, type ProxmoxContext } from "./context.js";
import { choosePlacement } from "./placement.js";
import { agentInterfacesSchema, clusterResourcesSchema, upidSchema, vmConfigSchema } from "./schemas.js";
import { clusterVms, VOXNIX_TAG, type ClusterVm } from "./targets.js";
import {
  deleteKeeper,
  findKeeper,
  KeptDiskStuckError,
  reattachKeptDisk,
  returnKeptDisk,
  type Keeper,
} from "./kept-disks.js";
import { ProxmoxTaskError } from "./tasks.js";
import type { VmSpec } from "../../domain/vm-spec.js";
import { z } from "zod";

/** How many times a create allocates a new VMID after finding one taken at clone time. */
export const MAX_CLONE_ATTEMPTS = 5;

const upidOrNull = z.union([upidSchema, z.null()]);
const MiB = 1024 ** 2;

export interface CreateVmHost {
  /** The owner's id, written into the VM's description for admins (never read back). */
  readonly ownerLabel: string;
  readonly onProgress: ProgressListener;
  /** Cancels the create; what was made so far is rolled back. */
  readonly signal?: AbortSignal;
  /** A restore: the kept workspace disk's ref (`kept-disks.ts`), reattached instead of a new disk. */
  readonly rootDiskRef?: string;
}

/** What a finished create produced. */
export interface CreatedVm {
  readonly vmid: number;
  readonly node: string;
  readonly addresses: readonly string[];
  readonly linkedClone: boolean;
}

/** Creates and starts the VM for `spec`; on failure nothing is left but a released ledger row. */
export async function createVm(context: ProxmoxContext, spec: VmSpec, host: CreateVmHost): Promise<CreatedVm> {
  const { client, ledger, settings } = context;
  const step = (kind: "preparing" | "installing" | "starting" | "waiting-for-boot", message: string) =>
    host.onProgress({ type: "step", step: kind, message });
  if (ledger.findLive(spec.name) !== undefined)
    throw new ConflictError("name-taken", `A VM called "${spec.name}" already exists.`);

  step("preparing", "Choosing a Proxmox node");
  const resources = await client.get("/cluster/resources", clusterResourcesSchema);
  const templateId = chooseTemplate(settings, spec);
  const templateSource =
    templateId === settings.template ? "proxmox.template" : "the VM's template, from proxmox.templates";
  const template = clusterVms(resources).find((vm) => vm.vmid === templateId);
  if (template === undefined || !template.template) {
    throw new HostFailureError(
      template === undefined
        ? `The Proxmox template ${templateId} (${templateSource}) does not exist.`
        : `VMID ${templateId} (${templateSource}) is a VM, not a template.`,
      "prepare a cloud-init template as docs/proxmox.md describes",
    );
  }
  // A restore goes to the node holding the kept disk: a disk is reassigned only between VMs of one node.
  const keeper = host.rootDiskRef === undefined ? undefined : await findKeeper(context, host.rootDiskRef, spec.name);
  const allowedNodes = keeper === undefined ? allowedNodesFor(settings, spec) : [keeper.node];
  const placement = choosePlacement(resources, {
    memoryBytes: spec.memoryBytes,
    allowedNodes,
    strategy: settings.placement,
  });
  const node = placement.node;

  const reverter = new Reverter();
  // Set when a failed restore could not hand the kept disk back: the VM then stays, holding the data.
  let holdsKeptDisk = false;
  try {
    const { vmid, linkedClone } = await cloneTemplate(context, spec, template, node, host);
    reverter.add(`VM ${vmid} on node ${node}`, async () => {
      if (holdsKeptDisk)
        throw new HostFailureError(
          `it holds the kept workspace disk of "${spec.name}", which could not be moved back to VM ${keeper?.vmid}; an admin moves it back with "qm disk move ${vmid} ${settings.workspaceDisk} --target-vmid ${keeper?.vmid} --target-disk unused0"`,
        );
      await removeVm(context, node, vmid);
      // Released only once the VM is gone: a VM left behind keeps its live ledger entry.
      ledger.release(vmid, "create rolled back", context.clock.now());
    });

    step("installing", `Setting ${spec.cpus} CPU(s), ${formatSize(spec.memoryBytes)} and cloud-init on VM ${vmid}`);
    const config = {
      cores: spec.cpus,
      memory: Math.ceil(spec.memoryBytes / MiB),
      ciuser: settings.ciUser,
      ipconfig0: settings.ipConfig,
      tags: [VOXNIX_TAG, ...(spec.cluster?.tags ?? []).filter((tag) => tag !== VOXNIX_TAG)].join(";"),
      agent: "1",
      ...(spec.sshKeys.length > 0 ? { sshkeys: encodeSshKeys(spec.sshKeys) } : {}),
    };
    await settle(
      context,
      await client.post(guestPath(node, vmid, "/config"), upidOrNull, config),
      `configure VM ${vmid}`,
      host.onProgress,
      host.signal,
    );
    await growDisk(context, node, vmid, spec.diskBytes, host.onProgress, host.signal);
    if (keeper === undefined)
      await addWorkspaceDisk(context, node, vmid, spec.workspaceBytes, host.onProgress, host.signal);
    else await reattach(context, keeper, vmid, host, reverter, () => (holdsKeptDisk = true));

    step("starting", `Starting VM ${vmid} on ${node}`);
    await settle(
      context,
      await client.post(guestPath(node, vmid, "/status/start"), upidSchema),
      `start VM ${vmid}`,
      host.onProgress,
      host.signal,
    );

    step("waiting-for-boot", `Waiting for VM ${vmid} to report an address`);
    const addresses = await waitForAddresses(context, node, vmid, context.settings.bootTimeoutMs, host.signal);
    ledger.activate(vmid, context.clock.now());
    reverter.success();
    if (keeper !== undefined) {
      // The keeper is empty now; a failure to delete it costs nothing but a VMID and a line in the log.
      await deleteKeeper(context, keeper.node, keeper.vmid).catch((error: unknown) =>
        context.logger.warn({ err: error, keeper: keeper.vmid }, "could not delete an emptied keeper VM"),
      );
    }
    context.logger.info({ workload: spec.name, vmid, node, linkedClone, restored: keeper?.vmid }, "proxmox vm created");
    return { vmid, node, addresses, linkedClone };
  } catch (error) {
    const kept = await reverter.revert();
    if (kept.length === 0) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new (holdsKeptDisk ? KeptDiskStuckError : HostFailureError)(
      `${message} Rolling back left behind: ${kept.join("; ")}.`,
      error instanceof HostFailureError ? error.detail : undefined,
      { cause: error },
    );
  }
}

// Moves the kept disk in and registers moving it back; `stuck` is called when that undo fails.
async function reattach(
  context: ProxmoxContext,
  keeper: Keeper,
  vmid: number,
  host: CreateVmHost,
  reverter: Reverter,
  stuck: () => void,
): Promise<void> {
  let moved = false;
  reverter.add(`the kept workspace disk (back to VM ${keeper.vmid})`, async () => {
    if (!moved) {
      // The move task may have finished after its wait failed: look before deciding.
      const config = await context.client.get(guestPath(keeper.node, vmid, "/config"), vmConfigSchema);
      if (typeof config[context.settings.workspaceDisk] !== "string") return;
    }
    try {
      await returnKeptDisk(context, keeper, vmid);
    } catch (error) {
      stuck();
      throw error;
    }
  });
  await reattachKeptDisk(context, keeper, vmid, host.onProgress);
  moved = true;
}

// Clones the template to a fresh VMID, allocating again when the ID turns out to be taken.
async function cloneTemplate(
  context: ProxmoxContext,
  spec: VmSpec,
  template: ClusterVm,
  node: string,
  host: CreateVmHost,
): Promise<{ vmid: number; linkedClone: boolean }> {
  const { client, settings, allocator, ledger } = context;
  let full = settings.cloneMode === "full" || (settings.cloneMode === "auto" && settings.storage !== undefined);
  for (let attempt = 1; attempt <= MAX_CLONE_ATTEMPTS; attempt += 1) {
    const vmid = await allocator.allocate(spec.name);
    for (;;) {
      host.onProgress({
        type: "step",
        step: "preparing",
        message: `Cloning template ${template.vmid} to VM ${vmid} on ${node} (${full ? "full" : "linked"} clone)`,
      });
      try {
        const upid = await client.post(
          `/nodes/${segment(template.node)}/qemu/${segment(template.vmid)}/clone`,
          upidSchema,
          {
            newid: vmid,
            name: spec.name,
            full,
            target: node === template.node ? undefined : node,
            storage: full ? settings.storage : undefined,
            pool: settings.pool,
            description: `Managed by voxnix (owner ${host.ownerLabel}). Changes made here are not kept by voxnix.`,
          },
        );
        await settle(context, upid, `clone the template to VM ${vmid}`, host.onProgress, host.signal);
        return { vmid, linkedClone: !full };
      } catch (error) {
        if (isVmidTaken(error) || (error instanceof ProxmoxTaskError && /already exists/i.test(error.exitStatus))) {
          allocator.skipTaken(vmid, "taken when cloning");
          context.logger.warn({ vmid, attempt }, "vmid taken at clone time; allocating another");
          break;
        }
        if (!full && settings.cloneMode === "auto" && cloneFeatureMissing(error)) {
          full = true;
          continue;
        }
        // Proxmox's clone worker removes its half-made VM on failure; the ID is spent anyway.
        ledger.release(vmid, "clone failed", context.clock.now());
        throw error;
      }
    }
  }
  throw new HostFailureError(
    `Every VMID voxnix tried was taken by the time the clone ran (${MAX_CLONE_ATTEMPTS} attempts); something else is creating VMs in voxnix's range.`,
  );
}

/**
 * The template a spec is cloned from: `proxmox.template`, or one the spec names that the admin
 * allowed in `proxmox.templates` (a spec is a person's word: it never picks an arbitrary VMID).
 */
export function chooseTemplate(settings: ProxmoxContext["settings"], spec: VmSpec): number {
  const wanted = spec.cluster?.template;
  if (wanted === undefined || wanted === settings.template) return settings.template;
  if (!settings.templates.includes(wanted)) {
    throw new InvalidInputError([
      {
        path: "cluster.template",
        message: `Template ${wanted} is not one voxnix may clone; an admin lists allowed templates in proxmox.template and proxmox.templates.`,
      },
    ]);
  }
  return wanted;
}

/** The nodes a spec may be placed on: its own node (which must be allowed), else `proxmox.nodes`. */
export function allowedNodesFor(settings: ProxmoxContext["settings"], spec: VmSpec): readonly string[] {
  const node = spec.cluster?.node;
  if (node === undefined) return settings.nodes;
  if (settings.nodes.length > 0 && !settings.nodes.includes(node)) {
    throw new InvalidInputError([
      {
        path: "cluster.node",
        message: `Node "${node}" is not one voxnix may place VMs on (proxmox.nodes: ${settings.nodes.join(", ")}).`,
      },
    ]);
  }
  return [node];
}

/**
 * Adds the workspace disk: a new volume of the workspace size (`STORAGE:SIZE_IN_GiB`, which
 * qemu-server allocates on a config update, fractions allowed), on `proxmox.workspaceStorage`
 * or the root disk's storage. It is its own volume so the root disk can be replaced (a
 * reinstall, a new template) while the person's data stays.
 */
async function addWorkspaceDisk(
  context: ProxmoxContext,
  node: string,
  vmid: number,
  bytes: number,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<void> {
  const { settings } = context;
  let storage = settings.workspaceStorage;
  if (storage === undefined) {
    const config = await context.client.get(guestPath(node, vmid, "/config"), vmConfigSchema);
    const root = config[settings.disk];
    storage = typeof root === "string" ? /^([A-Za-z][A-Za-z0-9._-]*):/.exec(root)?.[1] : undefined;
    if (storage === undefined)
      throw new HostFailureError(
        `The root disk of VM ${vmid} names no storage to put the workspace disk on; set proxmox.workspaceStorage.`,
      );
  }
  onProgress({
    type: "step",
    step: "installing",
    message: `Adding a ${formatSize(bytes)} workspace disk (${settings.workspaceDisk}) on ${storage}`,
  });
  const gib = Math.ceil(bytes / MiB) / 1024;
  const upid = await context.client.post(guestPath(node, vmid, "/config"), upidOrNull, {
    [settings.workspaceDisk]: `${storage}:${gib},backup=1,discard=on`,
  });
  await settle(context, upid, `add the workspace disk of VM ${vmid}`, onProgress, signal);
}

function cloneFeatureMissing(error: unknown): boolean {
  const text =
    error instanceof ProxmoxTaskError ? error.exitStatus : error instanceof ProxmoxApiError ? error.pveMessage : "";
  return /clone feature is not supported|linked clone/i.test(text);
}

// Grows the configured disk to `bytes`; a template disk already as large is left alone.
async function growDisk(
  context: ProxmoxContext,
  node: string,
  vmid: number,
  bytes: number,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<void> {
  const config = await context.client.get(guestPath(node, vmid, "/config"), vmConfigSchema);
  const disk = config[context.settings.disk];
  if (typeof disk !== "string") {
    throw new HostFailureError(
      `The template has no disk "${context.settings.disk}" (proxmox.disk) to resize.`,
      `config keys: ${Object.keys(config).join(", ")}`,
    );
  }
  const current = diskSizeBytes(disk);
  if (current !== undefined && current >= bytes) return;
  const upid = await context.client.put(guestPath(node, vmid, "/resize"), upidOrNull, {
    disk: context.settings.disk,
    size: `${Math.ceil(bytes / MiB)}M`,
  });
  await settle(context, upid, `resize the disk of VM ${vmid}`, onProgress, signal);
}

/** Reads `size=4G` from a drive option string. */
export function diskSizeBytes(drive: string): number | undefined {
  const match = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(drive);
  if (!match) return undefined;
  const units = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as const;
  return Math.round(Number(match[1]) * units[(match[2] ?? "") as keyof typeof units]);
}

/** Polls the guest agent until it reports a non-loopback address. */
export async function waitForAddresses(
  context: ProxmoxContext,
  node: string,
  vmid: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new HostFailureError(`Cancelled while waiting for VM ${vmid} to report an address.`);
    const addresses = await readAgentAddresses(context, node, vmid);
    if (addresses.length > 0) return addresses;
    if (Date.now() >= deadline) {
      throw new TimeoutError(
        `VM ${vmid} started but reported no address within ${Math.round(timeoutMs / 1000)} s; does the template run the QEMU guest agent?`,
        timeoutMs,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, context.pollMs));
  }
}

/** Most addresses kept from one agent answer. */
export const MAX_AGENT_ADDRESSES = 8;

/**
 * The guest's addresses from the agent, or none while the agent is not answering. The agent
 * runs inside the guest, so its answer is the tenant's word: only well-formed, non-loopback,
 * non-link-local IP addresses are kept, at most `MAX_AGENT_ADDRESSES`. They are shown to
 * people, never used to route anything.
 */
export async function readAgentAddresses(context: ProxmoxContext, node: string, vmid: number): Promise<string[]> {
  try {
    const answer = await context.client.get(
      guestPath(node, vmid, "/agent/network-get-interfaces"),
      agentInterfacesSchema,
    );
    const addresses = answer.result
      .flatMap((entry) => entry["ip-addresses"] ?? [])
      .map((address) => address["ip-address"])
      .filter((address) => isIP(address) !== 0 && !/^(127\.|::1$|fe80:|169\.254\.)/i.test(address));
    return [...new Set(addresses)].slice(0, MAX_AGENT_ADDRESSES);
  } catch (error) {
    if (error instanceof ProxmoxApiError && error.status !== 401 && error.status !== 403) return [];
    throw error;
  }
}

/** Stops (hard) and deletes a VM with its disks, and waits for both; a VM already gone succeeds. */
export async function removeVm(
  context: ProxmoxContext,
  node: string,
  vmid: number,
  onProgress?: ProgressListener,
): Promise<void> {
  const { client } = context;
  try {
    const status = await client.get(guestPath(node, vmid, "/status/current"), z.object({ status: z.string() }));
    if (status.status !== "stopped") {
      onProgress?.({ type: "step", step: "stopping", message: `Stopping VM ${vmid}` });
      await settle(
        context,
        await client.post(guestPath(node, vmid, "/status/stop"), upidSchema),
        `stop VM ${vmid}`,
        onProgress,
      );
    }
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }
  onProgress?.({ type: "step", step: "removing", message: `Deleting VM ${vmid} and its disks` });
  try {
    const upid = await client.delete(guestPath(node, vmid), upidSchema, {
      purge: true,
      "destroy-unreferenced-disks": true,
    });
    await settle(context, upid, `delete VM ${vmid}`, onProgress);
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }
}

function isGone(error: unknown): boolean {
  return error instanceof ProxmoxApiError && /does not exist/i.test(error.pveMessage);
}
