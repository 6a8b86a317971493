/**
 * Booting and halting one container: network, cgroups, nspawn, readiness. Shared by create
 * and start (boot) and by stop and destroy (halt), so every path leaves the host the same way.
 *
 * @module
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContainerSpec } from "../../domain/spec.js";
import type { ProgressListener } from "../../ports/runtime.js";
import type { BackendDeps } from "../../backends/deps.js";
import { prepareCgroups, removeCgroups } from "./cgroups.js";
import { createVeth, deleteVeth, ensureBridge, parseSubnet } from "./network.js";
import { nspawnBootArgs } from "./nspawn-cli.js";
import { cgroupName, interfaceNames, type MachinePaths, type NspawnPaths } from "./paths.js";
import { machineUuid, prepareRootForBoot, writeBootFiles } from "./rootfs.js";
import { findNspawnProcesses, killNspawn, runningPid, spawnNspawn, stopNspawn, waitForBoot } from "./supervisor.js";

/** What a boot needs. */
export interface BootRequest {
  readonly spec: ContainerSpec;
  readonly workspaceHostPath?: string;
  readonly onProgress: ProgressListener;
  readonly signal?: AbortSignal;
}

/** Processes a container may hold when its spec names no limit. */
export const DEFAULT_PIDS = 512;

/** The spec's process limit (a spec saved before the limit existed has none: it gets the default). */
export function pidsLimit(spec: ContainerSpec): number {
  const pids = spec.resources.pids as number | undefined;
  return typeof pids === "number" && Number.isInteger(pids) && pids > 0 ? pids : DEFAULT_PIDS;
}

/** Reads the spec saved at create. */
export function readSpec(machine: MachinePaths): ContainerSpec | undefined {
  try {
    return JSON.parse(readFileSync(machine.specFile, "utf8")) as ContainerSpec;
  } catch {
    return undefined;
  }
}

/** The container's address (from IPAM, saved at create). */
export function readAddress(machine: MachinePaths): string | undefined {
  try {
    return readFileSync(machine.addressFile, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Boots the container and resolves once it reached multi-user. Returns the leader pid. */
export async function bootMachine(
  deps: BackendDeps,
  paths: NspawnPaths,
  machine: MachinePaths,
  request: BootRequest,
): Promise<number> {
  const { spec } = request;
  const settings = deps.config.nspawn;
  const subnet = parseSubnet(settings.subnet);
  const names = interfaceNames(paths, spec.name);
  let address = readAddress(machine);
  if (address === undefined) {
    address = deps.leases.allocate(spec.name, subnet.cidr);
    writeFileSync(machine.addressFile, `${address}\n`);
  }
  const files = writeBootFiles(machine, { spec, network: { interfaceName: names.container, address, subnet } });
  prepareRootForBoot(machine.root, [
    ...files.map((file) => file.containerPath),
    ...(request.workspaceHostPath === undefined ? [] : ["/workspace"]),
  ]);

  request.onProgress({ type: "step", step: "starting", message: `Starting ${spec.name} at ${address}` });
  await ensureBridge(deps.runner, {
    bridge: settings.bridge,
    subnet,
    nat: settings.nat,
    hostAccess: settings.hostAccess,
  });
  // Everything from here leaves host state (veth, cgroups, nspawn) that a failure must undo,
  // including a limit the host refuses to apply.
  try {
    const group = cgroupName(paths, spec.name);
    // Independent host work side by side (the veth's ip calls, the device program's perl).
    const [veth, limits] = await Promise.allSettled([
      createVeth(deps.runner, { host: names.host, container: names.container, bridge: settings.bridge }),
      prepareCgroups(deps.runner, group, {
        cpus: spec.resources.cpus,
        memoryBytes: spec.resources.memoryBytes,
        pids: pidsLimit(spec),
      }),
    ]);
    if (veth.status === "fulfilled") writeFileSync(path.join(machine.run, "udev-index"), `${veth.value}\n`);
    if (veth.status === "rejected") throw veth.reason;
    if (limits.status === "rejected") throw limits.reason;
    const enforced = limits.value;
    writeFileSync(`${machine.run}/limits.json`, `${JSON.stringify(enforced)}\n`);
    const args = nspawnBootArgs({
      name: spec.name,
      root: machine.root,
      interfaceName: names.container,
      files,
      uuid: machineUuid(machine),
      ...(request.workspaceHostPath === undefined ? {} : { workspaceHostPath: request.workspaceHostPath }),
    });
    const pid = spawnNspawn(machine, args, group);
    request.onProgress({ type: "step", step: "waiting-for-boot", message: `Waiting for ${spec.name} to boot` });
    return await waitForBoot(machine, pid, deps.config.nspawn.bootTimeoutSeconds * 1000, request.signal);
  } catch (error) {
    await haltMachine(deps, paths, machine, spec.name, { clean: false });
    throw error;
  }
}

/**
 * Halts the container (clean poweroff with the configured timeout, or an immediate kill) and
 * removes its host-side network interface and cgroups. Halting a stopped container succeeds.
 * Returns false when a clean poweroff timed out and the container was killed.
 */
export async function haltMachine(
  deps: BackendDeps,
  paths: NspawnPaths,
  machine: MachinePaths,
  name: string,
  options: { readonly clean: boolean },
): Promise<boolean> {
  let clean = true;
  const pid = runningPid(machine);
  if (pid !== undefined) {
    if (options.clean) clean = await stopNspawn(machine, pid, deps.config.nspawn.stopTimeoutSeconds * 1000);
    else await killNspawn(machine, pid);
  }
  // A crash between fork and writing the pid file leaves an nspawn nobody recorded.
  for (const stray of findNspawnProcesses(machine.root)) await killNspawn(machine, stray);
  const udevIndexFile = path.join(machine.run, "udev-index");
  const udevIndex = existsSync(udevIndexFile) ? readFileSync(udevIndexFile, "utf8").trim() : undefined;
  await deleteVeth(deps.runner, { ...interfaceNames(paths, name), ...(udevIndex === undefined ? {} : { udevIndex }) });
  rmSync(udevIndexFile, { force: true });
  removeCgroups(cgroupName(paths, name));
  for (const file of [machine.pidFile, machine.leaderFile]) if (existsSync(file)) rmSync(file, { force: true });
  return clean;
}
