/**
 * The nspawn backend's lifecycle: create (root from the base image, files, network, boot),
 * start, stop (clean poweroff, then kill), destroy, and exec through the leader's namespaces.
 * Queries live in `queries.ts`, the process handling in `supervisor.ts`.
 *
 * @module
 */
import { requireContainerSpec, type ContainerSpec, type WorkloadSpec } from "../../domain/spec.js";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConflictError, HostFailureError, NotFoundError } from "../../domain/errors.js";
import { requireSpawner } from "../../host/process-spawner.js";
import type { WorkloadName } from "../../domain/names.js";
import type {
  RuntimePlan,
  Runtime,
  RuntimeInfo,
  HostContext,
  ExecOptions,
  ProgressListener,
  ChangeOptions,
} from "../../ports/runtime.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type { BackendDeps } from "../../backends/deps.js";
import { nspawnDoctor } from "./doctor.js";
import { buildImage, currentImage, type ImageMetadata } from "./image.js";
import { bootMachine, haltMachine, pidsLimit, readAddress, readSpec } from "./machine.js";
import { cgroupName, interfaceNames, machinePaths, nspawnPaths, type NspawnPaths } from "./paths.js";
import { containerLogs, listContainers, showContainer } from "./queries.js";
import { adoptOverlayRecord, rootFiles } from "./rootfs.js";
import { releaseIdRange, reserveIdRange } from "./id-range.js";
import { parseSubnet } from "./network.js";
import { cgroupProcsFiles, resizeCgroups } from "./cgroups.js";
import { LAUNCHER_SHELL, launcherArgs } from "./launcher.js";
import { containerEnvironment, loginShell, nspawnBootArgs, sessionArgv } from "./nspawn-cli.js";
import { entryCall } from "./enter.js";
import { connectLoopback } from "./loopback.js";
import { currentLeader, isBooted, runningPid } from "./supervisor.js";

/** The modules this backend realises from Debian packages and container settings. */
export const NSPAWN_MODULES: ReadonlySet<string> = new Set(["git", "fish", "workspace", "devtools"]);

/** The nspawn runtime: containers whose root is a root volume cloned from its Debian image, no Tailscale. */
const NSPAWN_INFO: RuntimeInfo = {
  name: "nspawn",
  kind: "container",
  modules: NSPAWN_MODULES,
  capabilities: {
    exec: true,
    interactiveShell: true,
    console: false,
    remoteAccess: false,
    liveResize: true,
    rootVolume: "filesystem",
  },
};

/** The backend plus host helpers the CLI's `setup` and the tests use. */
export interface NspawnRuntime extends Runtime {
  readonly paths: NspawnPaths;
  /** Makes the backend root usable (the storage port mounts the pool it lives on). */
  ensureRoot(): Promise<void>;
  /** Builds the base image from `source` (a debootstrapped tree) instead of downloading. */
  importImage(source: string, onProgress: ProgressListener): Promise<ImageMetadata>;
}

/** Creates the nspawn backend. Nothing touches the host until a method is called. */
export function createNspawnRuntime(deps: BackendDeps): NspawnRuntime {
  if (deps.rootVolumes === undefined)
    throw new HostFailureError("The nspawn runtime needs a storage driver with root volumes (btrfs, zfs or dir).");
  // The storage port places the area (the btrfs pool, or a directory) and clones the roots.
  const volumes = deps.rootVolumes({
    runtime: "nspawn",
    ...(deps.config.nspawn.root === undefined ? {} : { at: deps.config.nspawn.root }),
  });
  const paths = nspawnPaths(volumes.hostPath);
  let building: Promise<ImageMetadata> | undefined;

  const ensureRoot = async (): Promise<void> => {
    if (process.getuid?.() !== 0) {
      throw new HostFailureError(
        "Running nspawn containers needs root (systemd-nspawn, btrfs and bridges require it): run voxnix with sudo, or use --dry-run to see the plan.",
      );
    }
    await volumes.ensureReady();
    for (const directory of [paths.images, paths.machines, paths.run]) mkdirSync(directory, { recursive: true });
  };

  const build = (onProgress: ProgressListener, source?: string, signal?: AbortSignal): Promise<ImageMetadata> => {
    building ??= (async () => {
      await ensureRoot();
      return buildImage(deps.runner, volumes, paths, {
        suite: deps.config.nspawn.suite,
        mirror: deps.config.nspawn.mirror,
        onProgress,
        ...(source === undefined ? {} : { source }),
        ...(signal === undefined ? {} : { signal }),
      });
    })().finally(() => {
      building = undefined;
    });
    return building;
  };

  const existing = (name: WorkloadName) => {
    const machine = machinePaths(paths, name);
    const spec = readSpec(machine);
    if (!existsSync(machine.root) || spec === undefined) throw new NotFoundError("workload", name);
    adoptOverlayRecord(machine);
    return { machine, spec };
  };

  const destroy = async (name: WorkloadName, onProgress: ProgressListener) => {
    await ensureRoot();
    const machine = machinePaths(paths, name);
    const warnings: string[] = [];
    onProgress({ type: "step", step: "removing", message: `Removing ${name}` });
    // The root is deleted right after, so there is nothing a clean shutdown would save; the
    // workspace is a separate file system whose written data is already in the page cache.
    await haltMachine(deps, paths, machine, name, { clean: false });
    adoptOverlayRecord(machine);
    await volumes.deleteRoot(machine);
    // nspawn's lock file beside the root, left behind when nspawn itself was killed.
    rmSync(path.join(paths.machines, `.#${name}.lck`), { force: true });
    rmSync(machine.run, { recursive: true, force: true });
    deps.leases.release(name);
    return { warnings };
  };

  /** The container's leader process, or `wrong-state` when it is not running. */
  const runningLeader = (name: WorkloadName) => {
    const { machine, spec } = existing(name);
    const pid = runningPid(machine);
    const leader = pid === undefined ? undefined : currentLeader(machine, pid);
    if (leader === undefined) throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return { leader, spec };
  };

  const exec = async (name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult> => {
    const { leader, spec } = runningLeader(name);
    const call = entryCall(leader, argv.length > 0 ? argv : loginShell(spec), {
      env: containerEnvironment(options.env ?? {}),
    });
    // The launcher puts the entry in the container's cgroups; the entry (a fixed host perl
    // program) gives the command the container's namespaces, bounding set and seccomp filters
    // and executes it: nothing of the container's file system runs before that, and nothing
    // the container sends is parsed on the host.
    return deps.runner.run(LAUNCHER_SHELL, launcherArgs(cgroupProcsFiles(cgroupName(paths, name), "exec"), call.argv), {
      env: call.env,
      isolatedEnv: true,
      timeoutMs: options.timeoutMs,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
  };

  /**
   * The one interactive path: exactly like `exec` (launcher into the cgroups, the entry) but
   * streaming instead of capturing. With a terminal, the spawner allocates a host pty and the
   * entry copies it, resizes included, to a pty in the container's devpts. Closing it (or its
   * deadline) stops the entry, which kills the command's process group inside; the command
   * also dies with the entry (parent-death signal).
   */
  const attach: NonNullable<Runtime["attach"]> = async (name, options) => {
    const spawner = requireSpawner(deps.spawner);
    const { leader, spec } = runningLeader(name);
    const terminal = options.command.kind === "sftp" ? undefined : options.terminal;
    const call = entryCall(leader, sessionArgv(spec, options.command), {
      env: containerEnvironment(terminal ? { TERM: terminal.term } : {}),
      interactive: terminal !== undefined,
    });
    return spawner.spawn(LAUNCHER_SHELL, launcherArgs(cgroupProcsFiles(cgroupName(paths, name), "exec"), call.argv), {
      env: call.env,
      timeoutMs: options.timeoutMs,
      ...(terminal === undefined ? {} : { terminal }),
    });
  };

  // Forwarding to a service bound to the container's loopback: a relay in its network namespace only.
  const openPort: NonNullable<Runtime["openPort"]> = async (name, port, options) => {
    const spawner = requireSpawner(deps.spawner);
    const { leader } = runningLeader(name);
    return connectLoopback(spawner, leader, { port, family: options.family ?? 4, timeoutMs: options.timeoutMs });
  };

  // Root's login shell is set from inside the container (the host never edits a tenant's
  // /etc/passwd), as a confined command like any other; bash is the image's default.
  const setLoginShell = async (spec: ContainerSpec): Promise<void> => {
    const [shell = "/bin/bash"] = loginShell(spec);
    const changed = await exec(spec.name, ["usermod", "--shell", shell, "root"], { timeoutMs: 30_000 });
    if (changed.exitCode !== 0)
      throw new HostFailureError(`Could not make ${shell} the login shell of ${spec.name}.`, changed.stderr.trim());
  };

  // A change made while the container was stopped may change the login shell; it is set at the next boot.
  const shellPendingFile = (machine: ReturnType<typeof machinePaths>) => path.join(machine.run, "login-shell-pending");
  const applyPendingShell = async (machine: ReturnType<typeof machinePaths>, spec: ContainerSpec): Promise<void> => {
    if (!existsSync(shellPendingFile(machine))) return;
    await setLoginShell(spec);
    rmSync(shellPendingFile(machine), { force: true });
  };

  /**
   * Applies a changed spec: the spec file is what every boot reads (modules file, limits,
   * login shell). Running with `live`: the limits change in place. Running otherwise: a clean
   * poweroff and a boot with the new spec (the workspace is bound again). Stopped: the next
   * start boots with it.
   */
  const change = async (name: WorkloadName, given: WorkloadSpec, options: ChangeOptions): Promise<void> => {
    const spec = requireContainerSpec(given);
    await ensureRoot();
    const { machine, spec: previous } = existing(name);
    const pid = runningPid(machine);
    const running = pid !== undefined && currentLeader(machine, pid) !== undefined;
    writeFileSync(machine.specFile, `${JSON.stringify(spec, null, 2)}\n`);
    const shellChanged = loginShell(previous)[0] !== loginShell(spec)[0];
    if (!running) {
      if (shellChanged) writeFileSync(shellPendingFile(machine), "");
      return;
    }
    if (options.live && !shellChanged) {
      options.onProgress({ type: "step", step: "installing", message: `Changing the limits of ${name} while it runs` });
      resizeCgroups(cgroupName(paths, name), {
        cpus: spec.resources.cpus,
        memoryBytes: spec.resources.memoryBytes,
        pids: pidsLimit(spec),
      });
      return;
    }
    options.onProgress({ type: "step", step: "stopping", message: `Powering off ${name} to apply the change` });
    await haltMachine(deps, paths, machine, name, { clean: true });
    await volumes.mountRoot(machine);
    await bootMachine(deps, paths, machine, {
      spec,
      onProgress: options.onProgress,
      ...(options.workspaceHostPath === undefined ? {} : { workspaceHostPath: options.workspaceHostPath }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (shellChanged) await setLoginShell(spec);
    rmSync(shellPendingFile(machine), { force: true });
  };

  return {
    paths,
    ensureRoot,
    change,
    importImage: (source, onProgress) => build(onProgress, source),

    info: () => NSPAWN_INFO,

    async plan(given, host): Promise<RuntimePlan> {
      const spec = requireContainerSpec(given);
      const machine = machinePaths(paths, spec.name);
      const names = interfaceNames(paths, spec.name);
      const subnet = parseSubnet(deps.config.nspawn.subnet);
      const address = deps.leases.get(spec.name) ?? `<next free address in ${subnet.cidr}>`;
      const image = currentImage(paths, deps.config.nspawn.suite);
      const files = rootFiles({ spec, network: { interfaceName: names.container, address, subnet } }).map((file) => ({
        path: path.join(machine.run, "files", file.path),
        content: file.content,
      }));
      const binds = files.map((file) => ({
        hostPath: file.path,
        containerPath: file.path.slice(path.join(machine.run, "files").length),
      }));
      return {
        artifacts: [...files, { path: machine.specFile, content: `${JSON.stringify(spec, null, 2)}\n` }],
        commands: [
          ...(image === undefined
            ? [["debootstrap", "…", deps.config.nspawn.suite, `${paths.images}/debian-${deps.config.nspawn.suite}-…`]]
            : []),
          [...volumes.cloneCommand(image?.path ?? `${paths.images}/debian-${deps.config.nspawn.suite}-…`, machine)],
          ["ip", "link", "add", names.host, "type", "veth", "peer", "name", names.container],
          ["ip", "link", "set", "dev", names.host, "master", deps.config.nspawn.bridge],
          ["ip", "link", "set", "dev", names.host, "type", "bridge_slave", "isolated", "on"],
          [
            "systemd-nspawn",
            ...nspawnBootArgs({
              name: spec.name,
              root: machine.root,
              interfaceName: names.container,
              files: binds,
              ...(host.workspaceHostPath === undefined ? {} : { workspaceHostPath: host.workspaceHostPath }),
            }),
          ],
        ],
      };
    },

    async create(given, host: HostContext) {
      const spec = requireContainerSpec(given);
      await ensureRoot();
      const machine = machinePaths(paths, spec.name);
      if (existsSync(machine.root) || existsSync(machine.run)) {
        throw new ConflictError("name-taken", `A container called "${spec.name}" already exists on this host.`);
      }
      const image =
        currentImage(paths, deps.config.nspawn.suite) ?? (await build(host.onProgress, undefined, host.signal));
      mkdirSync(machine.run, { recursive: true });
      writeFileSync(machine.specFile, `${JSON.stringify(spec, null, 2)}\n`);
      try {
        host.onProgress({
          type: "step",
          step: "preparing",
          message: `Creating the root of ${spec.name} from the base image`,
        });
        // An overlay root is owned by the container's id range from the start (see id-range.ts);
        // a snapshot ignores the range and nspawn idmaps it at boot.
        const idRange = reserveIdRange(paths, machine);
        const root = await volumes.cloneRoot(image.path, machine, {
          ...(host.quotaGroup === undefined ? {} : { quotaGroup: host.quotaGroup }),
          ...(idRange === undefined ? {} : { idRange }),
        });
        if (root.idRange === undefined) releaseIdRange(machine);
        if (root.notice !== undefined)
          host.onProgress({
            type: "log",
            line: `The root of ${spec.name} is not idmapped (${root.notice}); its first boot copies the image into it.`,
          });
        await bootMachine(deps, paths, machine, {
          spec,
          onProgress: host.onProgress,
          ...(host.workspaceHostPath === undefined ? {} : { workspaceHostPath: host.workspaceHostPath }),
          ...(host.signal === undefined ? {} : { signal: host.signal }),
        });
        if (loginShell(spec)[0] !== "/bin/bash") await setLoginShell(spec);
        await root.accounted;
      } catch (error) {
        await destroy(spec.name, () => undefined).catch(() => undefined);
        throw error;
      }
    },

    async start(name, host) {
      await ensureRoot();
      const { machine, spec } = existing(name);
      const pid = runningPid(machine);
      if (pid !== undefined) {
        const leader = currentLeader(machine, pid);
        if (leader !== undefined && isBooted(leader)) return;
        throw new ConflictError("busy", `"${name}" is still booting.`);
      }
      await haltMachine(deps, paths, machine, name, { clean: false });
      await volumes.mountRoot(machine);
      await bootMachine(deps, paths, machine, {
        spec,
        onProgress: host.onProgress,
        ...(host.workspaceHostPath === undefined ? {} : { workspaceHostPath: host.workspaceHostPath }),
        ...(host.signal === undefined ? {} : { signal: host.signal }),
      });
      await applyPendingShell(machine, spec);
    },

    async stop(name, options) {
      await ensureRoot();
      const { machine } = existing(name);
      options.onProgress({ type: "step", step: "stopping", message: `Powering off ${name}` });
      const marker = `${machine.run}/stopping`;
      writeFileSync(marker, "");
      try {
        const clean = await haltMachine(deps, paths, machine, name, { clean: true });
        if (!clean)
          options.onProgress({
            type: "log",
            line: `${name} did not power off within ${deps.config.nspawn.stopTimeoutSeconds} s and was killed.`,
          });
      } finally {
        rmSync(marker, { force: true });
      }
    },

    destroy: (name, options) => destroy(name, options.onProgress),

    async list() {
      // After a reboot the pool is unmounted and the machines look absent: mount it again. A
      // read never creates a pool, so a fresh state directory lists nothing and writes nothing.
      if (!existsSync(paths.machines)) await volumes.reopen().catch(() => false);
      return listContainers(paths);
    },
    async show(name) {
      return showContainer(paths, name, (machine) => {
        adoptOverlayRecord(machine);
        return volumes.rootKind(machine);
      });
    },
    async logs(name, options) {
      existing(name);
      return containerLogs(deps, paths, name, options.lines, (argv) => exec(name, argv, { timeoutMs: 30_000 }));
    },

    exec,
    attach,
    openPort,

    doctor: () => nspawnDoctor(deps.runner, paths, deps.config, volumes),

    async buildImages(options) {
      const image = await build(options.onProgress, undefined, options.signal);
      return {
        images: [
          {
            name: `debian-${image.suite}`,
            detail: `${image.packages.length} packages, built in ${Math.round(image.durationMs / 1000)} s at ${image.path}`,
          },
        ],
      };
    },
  };
}

/** The address a container was given, for tests. */
export { readAddress };
