/**
 * The QEMU VM runtime: plain QEMU processes (no libvirt), one folder per VM, direct kernel
 * boot of a Debian base image, SSH on a port forwarded to 127.0.0.1. Its methods mirror the
 * `ContainerBackend` port so it plugs into the runtime registry with a thin adapter; why plain
 * QEMU and what isolation it gives are in docs/vms.md.
 *
 * @module
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, HostFailureError, NotFoundError, TimeoutError } from "../../domain/errors.js";
import { isWorkloadName, type WorkloadName } from "../../domain/names.js";
import { formatSize } from "../../domain/sizes.js";
import { requireVmSpec, specInput, validateVmSpec, type VmResourcePolicy, type VmSpec } from "../../domain/vm-spec.js";
import type { CommandResult } from "../../ports/command-runner.js";
import type { DestroyOptions, DestroyReport, ExecOptions, HostContext, LiveContainer, ProgressListener, Runtime, RuntimeInfo } from "../../ports/runtime.js";
import type { BackendDeps } from "../../backends/deps.js";
import { runChecked } from "../../host/commands.js";
import { probeAccelerator, type AcceleratorChoice } from "./accelerator.js";
import { consoleLines, drainConsole, readLogTail } from "./console-log.js";
import { createOverlay, createSeed, ensureWorkspaceDisk, overlayArgs, workspaceMkfsArgs } from "./disks.js";
import { qemuDoctor } from "./doctor.js";
import { discardKeptDisk, keepRootDisk, restoreKeptDisk } from "./kept-disks.js";
import { READY_MARKER } from "./guest-files.js";
import { buildBaseImage, currentImage, vmDebootstrapArgs, type BaseImage } from "./image.js";
import { MAX_SOCKET_PATH, resolveQemuPaths, vmPaths, type QemuPaths, type VmPaths } from "./paths.js";
import { launchQemu, QEMU_BINARY, residentBytes, runningPid, startedAt, waitForExit } from "./process.js";
import { qemuArgs, type Accelerator } from "./qemu-argv.js";
import { qmp } from "./qmp.js";
import { remoteCommand, sshArgs, sshBanner, sshEnvironment } from "./ssh.js";

/**
 * Host-side inputs the core prepares for a VM: the runtime port's `HostContext` without the
 * container-only fields. `workspaceHostPath` is a directory from the storage driver; the
 * workspace disk goes there (counted in the owner's quota, snapshotted with the workspace).
 */
export type VmHostContext = Pick<HostContext, "ownerLabel" | "workspaceHostPath" | "rootDiskRef" | "onProgress" | "signal">;

/** What `vm.json` records. Written by voxnix only. */
export interface VmRecord {
  readonly spec: VmSpec;
  readonly sshPort: number;
  readonly accelerator: Accelerator;
  readonly acceleratorReason: string;
  readonly baseDisk: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly workspace: string;
  readonly createdAt: string;
}

/**
 * The runtime: the `Runtime` port for `kind: vm` specs (anything else is refused), plus helpers
 * the tests and the CLI's setup use.
 */
export interface QemuRuntime extends Runtime {
  readonly paths: QemuPaths;
  info(): RuntimeInfo & { readonly kind: "vm" };
  /** The guest's SSH host key line (`ssh-ed25519 AAAA…`), known before first boot. */
  hostKey(name: WorkloadName): string | undefined;
  /** The resource policy from `vm.*` configuration, for spec validation. */
  policy(): VmResourcePolicy;
}

const LAUNCH_TIMEOUT_MS = 30_000;

function readRecord(paths: VmPaths): VmRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths.metadata, "utf8")) as VmRecord;
  } catch {
    return undefined;
  }
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; QEMU binds it moments later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Creates the runtime. Nothing touches the host until a method is called. */
export function createQemuRuntime(deps: BackendDeps): QemuRuntime {
  const paths = resolveQemuPaths(deps);
  const config = deps.config.vm;
  let acceleratorProbe: Promise<AcceleratorChoice> | undefined;
  let building: Promise<BaseImage> | undefined;
  const accelerator = () => (acceleratorProbe ??= probeAccelerator(deps.runner, config.accelerator));

  const policy = (): VmResourcePolicy => ({
    defaultCpus: config.defaultCpus,
    maxCpus: config.maxCpus,
    defaultMemoryBytes: config.defaultMemory,
    maxMemoryBytes: config.maxMemory,
    defaultDiskBytes: config.defaultDisk,
    maxDiskBytes: config.maxDisk,
    defaultWorkspaceBytes: config.defaultWorkspace,
    maxWorkspaceBytes: config.maxWorkspace,
  });
  const isRoot = () => process.getuid?.() === 0;
  const userExists = (name: string): boolean => {
    try {
      return readFileSync("/etc/passwd", "utf8").split("\n").some((line) => line.startsWith(`${name}:`));
    } catch {
      return false;
    }
  };
  /** The user QEMU drops to, created on first use (root only; unprivileged voxnix runs QEMU as itself). */
  const runAsUser = async (): Promise<string | undefined> => {
    if (config.runAs === "" || !isRoot()) return undefined;
    if (!userExists(config.runAs)) {
      await runChecked(deps.runner, "useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", config.runAs], { what: `create the user ${config.runAs} QEMU runs as` });
    }
    return config.runAs;
  };

  const build = (onProgress: ProgressListener, signal?: AbortSignal): Promise<BaseImage> => {
    building ??= buildBaseImage(deps.runner, {
      images: paths.images,
      suite: config.suite,
      mirror: config.mirror,
      onProgress,
      ...(config.packageCache === undefined ? {} : { cacheDir: config.packageCache }),
      ...(signal === undefined ? {} : { signal }),
    }).finally(() => {
      building = undefined;
    });
    return building;
  };

  const existing = (name: WorkloadName): { readonly files: VmPaths; readonly record: VmRecord } => {
    const files = vmPaths(paths, name);
    const record = readRecord(files);
    if (record === undefined) throw new NotFoundError("workload", name);
    return { files: { ...files, workspace: record.workspace }, record };
  };

  /** Starts QEMU for a VM whose disks exist and waits until its SSH server answers. */
  const boot = async (files: VmPaths, record: VmRecord, host: Pick<VmHostContext, "onProgress" | "signal">): Promise<VmRecord> => {
    host.onProgress({ type: "step", step: "starting", message: `Starting ${record.spec.name} (${record.spec.cpus} CPU, ${formatSize(record.spec.memoryBytes)}, ${record.accelerator.toUpperCase()})` });
    rmSync(files.pidFile, { force: true });
    rmSync(files.qmpSocket, { force: true });
    const runAs = await runAsUser();
    let current = record;
    let pid: number | undefined;
    for (let attempt = 0; pid === undefined; attempt += 1) {
      const args = qemuArgs({
        spec: current.spec,
        paths: files,
        image: { kernel: current.kernel, initrd: current.initrd },
        accelerator: current.accelerator,
        tbSizeMiB: config.tbSizeMiB,
        sshPort: current.sshPort,
        outbound: config.outbound,
        ...(runAs === undefined ? {} : { runAs }),
      });
      try {
        pid = await launchQemu(args, files, LAUNCH_TIMEOUT_MS);
      } catch (error) {
        // The port was free when picked; another process may have taken it since.
        if (attempt < 3 && error instanceof HostFailureError && /host forwarding rule|Address already in use/i.test(error.message + (error.detail ?? ""))) {
          current = { ...current, sshPort: await freePort() };
          writeFileSync(files.metadata, `${JSON.stringify(current, null, 2)}\n`);
          continue;
        }
        throw error;
      }
    }
    host.onProgress({ type: "step", step: "waiting-for-boot", message: `Waiting for ${record.spec.name} to boot and start sshd` });
    const deadline = Date.now() + config.bootTimeoutSeconds * 1000;
    let seen = "";
    for (;;) {
      if (host.signal?.aborted === true) throw new HostFailureError(`Starting ${record.spec.name} was cancelled.`);
      if (runningPid(files) === undefined) {
        const tail = consoleLines(readLogTail(files.console, 4096), 5).join(" | ");
        throw new HostFailureError(`${record.spec.name} stopped while booting.`, tail);
      }
      const data = await drainConsole(files.qmpSocket, files.console).catch(() => Buffer.alloc(0));
      seen = (seen + data.toString("latin1")).slice(-4096);
      if (seen.includes(READY_MARKER) && (await sshBanner(current.sshPort, 3000))) return current;
      if (Date.now() > deadline) {
        throw new TimeoutError(`${record.spec.name} did not finish booting within ${config.bootTimeoutSeconds} s; see its console log (voxnix ctl logs).`, config.bootTimeoutSeconds * 1000);
      }
      await sleep(200);
    }
  };

  /** Ends the QEMU process: ACPI power button first when `clean`, then quit, then SIGKILL. Resolves true when the guest powered off by itself. */
  const halt = async (files: VmPaths, clean: boolean): Promise<boolean> => {
    const pid = runningPid(files);
    if (pid === undefined) return true;
    await drainConsole(files.qmpSocket, files.console).catch(() => undefined);
    if (clean) {
      await qmp(files.qmpSocket, [{ execute: "system_powerdown" }], 5000).catch(() => undefined);
      if (await waitForExit(pid, files, config.stopTimeoutSeconds * 1000)) return true;
    }
    await qmp(files.qmpSocket, [{ execute: "quit" }], 5000).catch(() => undefined);
    if (!(await waitForExit(pid, files, 5000))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      await waitForExit(pid, files, 5000);
    }
    return false;
  };

  const destroy = async (name: WorkloadName, options: DestroyOptions): Promise<DestroyReport> => {
    const files = vmPaths(paths, name);
    options.onProgress({ type: "step", step: "removing", message: `Removing ${name}` });
    let kept: DestroyReport["keptRootDisk"];
    if (options.keepRootDisk !== undefined) {
      // The root disk is kept for undo, so the guest powers off cleanly first (its file systems
      // synced, as after a shutdown), then the overlay, seed and keys move to kept/<id>.
      await halt(files, true);
      kept = keepRootDisk(paths, files, options.keepRootDisk);
    } else {
      // The overlay is deleted right after, so a clean shutdown would save nothing there; the
      // workspace disk's writes are already in QEMU's file (cache=writeback flushes on exit).
      await halt(files, false);
    }
    rmSync(files.dir, { recursive: true, force: true });
    return { warnings: [], ...(kept === undefined ? {} : { keptRootDisk: kept }) };
  };

  // The browser terminal: the same pinned-key SSH as exec, with a pty the runner allocates.
  const openTerminal: Runtime["openTerminal"] = async (name, options) => {
    const { files, record } = existing(name);
    if (runningPid(files) === undefined) throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    return deps.runner.spawnTerminal("ssh", sshArgs({ name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts }, undefined, { interactive: true }), {
      env: { ...sshEnvironment(), TERM: "xterm-256color" },
      isolatedEnv: true,
      timeoutMs: options.timeoutMs,
      size: options.size,
    });
  };

  const exec = async (name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult> => {
    const { files, record } = existing(name);
    if (runningPid(files) === undefined) throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    const interactive = options.stdio === "inherit";
    const command = argv.length === 0 ? undefined : remoteCommand(argv, options.env ?? {});
    const result = await deps.runner.run("ssh", sshArgs({ name, port: record.sshPort, clientKey: files.clientKey, knownHosts: files.knownHosts }, command, { interactive }), {
      env: sshEnvironment(),
      isolatedEnv: true,
      timeoutMs: options.timeoutMs,
      ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    // 255 is ssh's own failure; a guest command can exit 255 too, so only ssh's messages count.
    if (result.exitCode === 255 && /Host key verification failed|Permission denied|Connection (refused|closed|timed out)|kex_exchange_identification/i.test(result.stderr)) {
      throw new HostFailureError(`Could not reach ${name} over SSH.`, result.stderr.trim().split("\n").slice(-2).join(" | "));
    }
    return result;
  };

  /** The guest's host key line (`type base64`), read from the pinned known_hosts entry. */
  const pinnedHostKey = (name: WorkloadName): string | undefined => {
    try {
      const line = readFileSync(vmPaths(paths, name).knownHosts, "utf8").trim();
      return line.split(" ").slice(1, 3).join(" ") || undefined;
    } catch {
      return undefined;
    }
  };

  return {
    paths,
    info: () => ({
      name: "qemu",
      kind: "vm",
      modules: new Set<string>(),
      capabilities: { exec: true, interactiveShell: true, console: true, remoteAccess: false, liveResize: false, rootVolume: "disk-image" },
    }),
    policy,

    async plan(given, host) {
      const spec = requireVmSpec(given);
      const files = vmPaths(paths, spec.name, host.workspaceHostPath);
      const image = currentImage(paths.images, config.suite);
      const base = image?.disk ?? `${paths.images}/debian-${config.suite}-…/root.qcow2`;
      return {
        artifacts: [{ path: files.metadata, content: `${JSON.stringify({ spec, sshPort: "<a free port on 127.0.0.1>" }, null, 2)}\n` }],
        commands: [
          ...(image === undefined ? [["debootstrap", ...vmDebootstrapArgs({ suite: config.suite, mirror: config.mirror, target: `${paths.images}/…/tree` })]] : []),
          ["qemu-img", ...overlayArgs(base, files.overlay, spec.diskBytes)],
          ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", `voxnix@${spec.name}`, "-f", files.clientKey],
          ["tar", "--create", `--file=${files.seed}`, "…"],
          ["mkfs.ext4", ...workspaceMkfsArgs(files.workspace)],
          [
            QEMU_BINARY,
            ...qemuArgs({ spec, paths: files, image: { kernel: image?.kernel ?? "vmlinuz", initrd: image?.initrd ?? "initrd.img" }, accelerator: "tcg", tbSizeMiB: config.tbSizeMiB, sshPort: 22022, outbound: config.outbound, ...(config.runAs === "" ? {} : { runAs: config.runAs }) }),
          ],
        ],
      };
    },

    async create(given, host) {
      // The core validated this spec; checking again costs nothing and keeps a hostile value
      // that slipped past an adapter from reaching a host command line.
      const spec = validateVmSpec(specInput(requireVmSpec(given)), policy());
      const files = vmPaths(paths, spec.name, host.workspaceHostPath);
      if (Buffer.byteLength(files.qmpSocket) > MAX_SOCKET_PATH) throw new HostFailureError(`The VM folder path is too long for a control socket (${files.qmpSocket}); set vm.root to a shorter directory.`);
      if (existsSync(files.dir)) throw new ConflictError("name-taken", `A VM called "${spec.name}" already exists on this host.`);
      const choice = await accelerator();
      if (config.accelerator === "kvm" && choice.accelerator !== "kvm") throw new HostFailureError(`vm.accelerator is kvm, but ${choice.reason}`);
      // A restore boots the kept overlay on the image it was made from; a new VM gets the current one.
      const current = host.rootDiskRef === undefined ? (currentImage(paths.images, config.suite) ?? (await build(host.onProgress, host.signal))) : undefined;
      mkdirSync(paths.machines, { recursive: true, mode: 0o700 });
      mkdirSync(files.dir, { mode: 0o700 });
      let madeWorkspace = false;
      try {
        let image: { readonly disk: string; readonly kernel: string; readonly initrd: string };
        if (current !== undefined) {
          image = current;
          host.onProgress({ type: "step", step: "preparing", message: `Creating the disks of ${spec.name} (root ${formatSize(spec.diskBytes)}, workspace ${formatSize(spec.workspaceBytes)})` });
          await createOverlay(deps.runner, image.disk, files, spec);
          await createSeed(deps.runner, files, spec);
        } else {
          host.onProgress({ type: "step", step: "restoring", message: `Bringing back the root disk and host key of ${spec.name}` });
          const kept = await restoreKeptDisk(deps.runner, paths, host.rootDiskRef!, files);
          image = { disk: kept.baseDisk, kernel: kept.kernel, initrd: kept.initrd };
        }
        madeWorkspace = await ensureWorkspaceDisk(deps.runner, files.workspace, spec.workspaceBytes);
        const record: VmRecord = {
          spec,
          sshPort: await freePort(),
          accelerator: choice.accelerator,
          acceleratorReason: choice.reason,
          baseDisk: image.disk,
          kernel: image.kernel,
          initrd: image.initrd,
          workspace: files.workspace,
          createdAt: deps.clock.now().toISOString(),
        };
        writeFileSync(files.metadata, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
        await boot(files, record, host);
        host.onProgress({ type: "step", step: "done", message: `${spec.name} is up` });
      } catch (error) {
        await halt(files, false).catch(() => undefined);
        rmSync(files.dir, { recursive: true, force: true });
        if (madeWorkspace) rmSync(files.workspace, { force: true });
        throw error;
      }
    },

    async start(name, host) {
      const { files, record } = existing(name);
      if (runningPid(files) !== undefined) return;
      try {
        await boot(files, record, host);
      } catch (error) {
        // A boot that failed or timed out leaves no QEMU running behind the error.
        await halt(files, false).catch(() => undefined);
        throw error;
      }
    },

    async stop(name, options) {
      const { files } = existing(name);
      options.onProgress({ type: "step", step: "stopping", message: `Powering off ${name}` });
      writeFileSync(files.stopping, "");
      try {
        const clean = await halt(files, true);
        if (!clean) options.onProgress({ type: "log", line: `${name} did not power off within ${config.stopTimeoutSeconds} s and was stopped.` });
      } finally {
        rmSync(files.stopping, { force: true });
      }
    },

    /**
     * A change of CPUs or memory: QEMU takes both on its command line, so a running VM powers
     * off cleanly and boots again with the new record; a stopped one takes it at its next start.
     * Its disks (root, seed, workspace) are kept as they are.
     */
    async change(name, given, options) {
      const spec = requireVmSpec(given);
      const { files, record } = existing(name);
      const running = runningPid(files) !== undefined;
      const next: VmRecord = { ...record, spec };
      if (running) {
        options.onProgress({ type: "step", step: "stopping", message: `Powering off ${name} to apply the change` });
        writeFileSync(files.stopping, "");
        try {
          await halt(files, true);
        } finally {
          rmSync(files.stopping, { force: true });
        }
      }
      writeFileSync(files.metadata, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      if (!running) return;
      try {
        await boot(files, next, options);
      } catch (error) {
        await halt(files, false).catch(() => undefined);
        throw error;
      }
    },

    destroy: (name, options) => destroy(name, options),

    async list() {
      if (!existsSync(paths.machines)) return [];
      const found: LiveContainer[] = [];
      for (const name of readdirSync(paths.machines).sort()) {
        if (!isWorkloadName(name)) continue;
        const files = vmPaths(paths, name);
        if (!existsSync(files.metadata)) continue;
        const running = runningPid(files) !== undefined;
        found.push({ name, state: running ? (existsSync(files.stopping) ? "stopping" : "running") : "stopped", addresses: running ? ["127.0.0.1"] : [] });
      }
      return found;
    },

    async show(name) {
      const files = vmPaths(paths, name);
      const record = readRecord(files);
      if (record === undefined) return undefined;
      const pid = runningPid(files);
      const rss = pid === undefined ? undefined : residentBytes(pid);
      const since = pid === undefined ? undefined : startedAt(pid);
      return {
        name,
        state: pid === undefined ? "stopped" : existsSync(files.stopping) ? "stopping" : "running",
        addresses: pid === undefined ? [] : ["127.0.0.1"],
        ...(since === undefined ? {} : { since }),
        facts: {
          runtime: "qemu",
          accelerator: record.accelerator,
          "accelerator reason": record.acceleratorReason,
          cpus: String(record.spec.cpus),
          memory: formatSize(record.spec.memoryBytes),
          disk: formatSize(record.spec.diskBytes),
          workspace: formatSize(record.spec.workspaceBytes),
          ssh: `127.0.0.1:${record.sshPort}`,
          ...(pid === undefined ? {} : { pid: String(pid) }),
          ...(rss === undefined ? {} : { "host memory": formatSize(rss) }),
        },
      };
    },

    async logs(name, options) {
      const { files } = existing(name);
      if (runningPid(files) !== undefined) await drainConsole(files.qmpSocket, files.console).catch(() => undefined);
      return consoleLines(readLogTail(files.console), options.lines).map((message) => ({ unit: "console", message }));
    },

    openTerminal,
    exec,

    hostKey: pinnedHostKey,

    async hostKeys(name) {
      const key = pinnedHostKey(name);
      return key === undefined ? undefined : [key];
    },

    async rootDiskUsage(names) {
      const usage = new Map<string, number>();
      for (const name of names) {
        // lstat: the overlay is voxnix's own file; a link there is never followed. Blocks, not
        // size: the overlay's apparent size is small and sparse, its allocation is what it costs.
        try {
          const stat = lstatSync(vmPaths(paths, name).overlay);
          if (stat.isFile()) usage.set(name, stat.blocks * 512);
        } catch {
          // No overlay (never created, or already destroyed): nothing allocated.
        }
      }
      return usage;
    },

    async discardRootDisk(ref) {
      discardKeptDisk(paths, ref);
    },

    doctor: () => qemuDoctor(deps.runner, paths, deps.config, accelerator, userExists),

    async buildImages(options) {
      const image = await build(options.onProgress, options.signal);
      return { images: [{ name: `vm-debian-${image.suite}`, detail: `VM base image built in ${Math.round(image.durationMs / 1000)} s at ${image.dir}` }] };
    },
  };
}
