/**
 * The QEMU VM runtime: plain QEMU processes (no libvirt), one folder per VM, direct kernel
 * boot of a Debian base image, SSH on a port forwarded to 127.0.0.1. Its methods mirror the
 * `ContainerBackend` port so it plugs into the runtime registry with a thin adapter; why plain
 * QEMU and what isolation it gives are in docs/vms.md.
 *
 * @module
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { ConflictError, HostFailureError } from "../../domain/errors.js";
import type { WorkloadName } from "../../domain/names.js";
import { formatSize } from "../../domain/sizes.js";
import { requireVmSpec, specInput, validateVmSpec, type VmResourcePolicy } from "../../domain/vm-spec.js";
import type { DestroyOptions, DestroyReport, ProgressListener, Runtime, RuntimeInfo } from "../../ports/runtime.js";
import type { DiskVolumes } from "../../ports/disk-volumes.js";
import type { BackendDeps } from "../../backends/deps.js";
import { probeAccelerator, type AcceleratorChoice } from "./accelerator.js";
import { createVmAccess } from "./access.js";
import { createSeed } from "./disks.js";
import { qemuDoctor } from "./doctor.js";
import { keepRootDisk, restoreKeptDisk } from "./kept-disks.js";
import { freePort } from "../../host/free-port.js";
import { buildBaseImage, currentImage, vmDebootstrapArgs, type BaseImage } from "./image.js";
import { createVmMachine } from "./machine.js";
import { MAX_SOCKET_PATH, resolveQemuPaths, vmPaths, type QemuPaths } from "./paths.js";
import { QEMU_BINARY, runningPid } from "./process.js";
import { qemuArgs } from "./qemu-argv.js";
import { existingVm, type VmRecord } from "./record.js";
import { vmQueries } from "./queries.js";

export type { VmHostContext } from "./machine.js";
export type { VmRecord } from "./record.js";

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

/** The label of a VM's workspace file system, as always: the guest finds the disk by its serial; the label helps a person. */
const WORKSPACE_LABEL = "voxnix-work";

/**
 * Creates the runtime. Nothing touches the host until a method is called. Its disks come from
 * the storage port (`deps.diskVolumes`), in an area at the runtime's root (`vm.root`, default
 * `<stateDir>/vm`): plain files, as before the disks moved into the port, because the core
 * holds a VM's declared disk size against its owner's quota and a pool-accounted disk would
 * count twice (docs/vms.md, "Disks in the storage quota").
 */
export function createQemuRuntime(deps: BackendDeps): QemuRuntime {
  const paths = resolveQemuPaths(deps);
  let area: DiskVolumes | undefined;
  const disks = (): DiskVolumes => {
    if (deps.diskVolumes === undefined)
      throw new HostFailureError("The storage driver offers no disk volumes, so this host cannot keep VM disks.");
    return (area ??= deps.diskVolumes({ runtime: "vm", at: paths.root }));
  };
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
  const machine = createVmMachine(deps);
  const { boot, halt } = machine;
  const access = createVmAccess(deps, paths);

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

  const existing = (name: WorkloadName) => existingVm(paths, name);

  const destroy = async (name: WorkloadName, options: DestroyOptions): Promise<DestroyReport> => {
    const files = vmPaths(paths, name);
    options.onProgress({ type: "step", step: "removing", message: `Removing ${name}` });
    let kept: DestroyReport["keptRootDisk"];
    if (options.keepRootDisk !== undefined) {
      // The root disk is kept for undo, so the guest powers off cleanly first (its file systems
      // synced, as after a shutdown), then the overlay, seed and keys move to kept/<id>.
      await halt(files, true);
      kept = await keepRootDisk(disks(), files, options.keepRootDisk);
    } else {
      // The overlay is deleted right after, so a clean shutdown would save nothing there; the
      // workspace disk's writes are already in QEMU's file (cache=writeback flushes on exit).
      await halt(files, false);
    }
    await disks().deleteDiskSet(files.dir);
    return { warnings: [], ...(kept === undefined ? {} : { keptRootDisk: kept }) };
  };

  return {
    paths,
    info: () => ({
      name: "qemu",
      kind: "vm",
      keptDisk: { words: "its root disk", holdsWorkspace: false },
      modules: new Set<string>(),
      capabilities: {
        exec: true,
        interactiveShell: true,
        console: true,
        remoteAccess: false,
        liveResize: false,
        rootVolume: "disk-image",
      },
    }),
    policy,

    async plan(given, host) {
      const spec = requireVmSpec(given);
      const files = vmPaths(paths, spec.name, host.workspaceHostPath);
      const image = currentImage(paths.images, config.suite);
      const base = image?.disk ?? `${paths.images}/debian-${config.suite}-…/root.qcow2`;
      return {
        artifacts: [
          {
            path: files.metadata,
            content: `${JSON.stringify({ spec, sshPort: "<a free port on 127.0.0.1>" }, null, 2)}\n`,
          },
        ],
        commands: [
          ...(image === undefined
            ? [
                [
                  "debootstrap",
                  ...vmDebootstrapArgs({
                    suite: config.suite,
                    mirror: config.mirror,
                    target: `${paths.images}/…/tree`,
                  }),
                ],
              ]
            : []),
          disks().overlayCommand(files.overlay, base, spec.diskBytes),
          ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", `voxnix@${spec.name}`, "-f", files.clientKey],
          ["tar", "--create", `--file=${files.seed}`, "…"],
          disks().workspaceDiskCommand(files.workspace, WORKSPACE_LABEL),
          [
            QEMU_BINARY,
            ...qemuArgs({
              spec,
              paths: files,
              image: { kernel: image?.kernel ?? "vmlinuz", initrd: image?.initrd ?? "initrd.img" },
              accelerator: "tcg",
              tbSizeMiB: config.tbSizeMiB,
              sshPort: 22022,
              outbound: config.outbound,
              ...(config.runAs === "" ? {} : { runAs: config.runAs }),
            }),
          ],
        ],
      };
    },

    async create(given, host) {
      // The core validated this spec; checking again costs nothing and keeps a hostile value
      // that slipped past an adapter from reaching a host command line.
      const spec = validateVmSpec(specInput(requireVmSpec(given)), policy());
      const files = vmPaths(paths, spec.name, host.workspaceHostPath);
      if (Buffer.byteLength(files.qmpSocket) > MAX_SOCKET_PATH)
        throw new HostFailureError(
          `The VM folder path is too long for a control socket (${files.qmpSocket}); set vm.root to a shorter directory.`,
        );
      if (existsSync(files.dir))
        throw new ConflictError("name-taken", `A VM called "${spec.name}" already exists on this host.`);
      const choice = await accelerator();
      if (config.accelerator === "kvm" && choice.accelerator !== "kvm")
        throw new HostFailureError(`vm.accelerator is kvm, but ${choice.reason}`);
      // A restore boots the kept overlay on the image it was made from; a new VM gets the current one.
      const current =
        host.rootDiskRef === undefined
          ? (currentImage(paths.images, config.suite) ?? (await build(host.onProgress, host.signal)))
          : undefined;
      // The VM's folder is its disk set: the storage makes it and everything disk-shaped in it.
      await disks().createDiskSet(files.dir);
      let madeWorkspace = false;
      try {
        let image: { readonly disk: string; readonly kernel: string; readonly initrd: string };
        if (current !== undefined) {
          image = current;
          host.onProgress({
            type: "step",
            step: "preparing",
            message: `Creating the disks of ${spec.name} (root ${formatSize(spec.diskBytes)}, workspace ${formatSize(spec.workspaceBytes)})`,
          });
          await disks().createOverlay(files.overlay, image.disk, spec.diskBytes);
          await createSeed(deps.runner, files, spec);
        } else {
          host.onProgress({
            type: "step",
            step: "restoring",
            message: `Bringing back the root disk and host key of ${spec.name}`,
          });
          const kept = await restoreKeptDisk(disks(), host.rootDiskRef!, files);
          image = { disk: kept.baseDisk, kernel: kept.kernel, initrd: kept.initrd };
        }
        madeWorkspace = await disks().createWorkspaceDisk(files.workspace, spec.workspaceBytes, WORKSPACE_LABEL);
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
        await disks()
          .deleteDiskSet(files.dir)
          .catch(() => undefined);
        if (madeWorkspace) await disks().deleteDisk(files.workspace);
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
        if (!clean)
          options.onProgress({
            type: "log",
            line: `${name} did not power off within ${config.stopTimeoutSeconds} s and was stopped.`,
          });
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

    ...vmQueries(paths, disks),

    attach: access.attach,
    openPort: access.openPort,
    exec: access.exec,

    hostKey: access.pinnedHostKey,

    async hostKeys(name) {
      const key = access.pinnedHostKey(name);
      return key === undefined ? undefined : [key];
    },

    async discardRootDisk(ref) {
      await disks().discard(ref);
    },

    doctor: () => qemuDoctor(deps.runner, paths, deps.config, accelerator, machine.userExists),

    async buildImages(options) {
      const image = await build(options.onProgress, options.signal);
      return {
        images: [
          {
            name: `vm-debian-${image.suite}`,
            detail: `VM base image built in ${Math.round(image.durationMs / 1000)} s at ${image.dir}`,
          },
        ],
      };
    },
  };
}
