/**
 * The runtime port: the mechanics of creating and running one kind of workload on one kind
 * of host (containers: NixOS via extra-container, any Linux via systemd-nspawn; VMs next).
 * Runtimes know nothing about users, ownership or policy; the core decides all of that and
 * hands them validated specs and host paths. The core finds the runtime for a workload
 * through the `RuntimeRegistry` (`ports/runtime-registry.ts`).
 *
 * @module
 */
import type { WorkloadKind, WorkloadSpec } from "../domain/spec.js";
import type { WorkloadName } from "../domain/names.js";
import type { CommandResult, InteractiveProcess, TerminalSize } from "./command-runner.js";

/**
 * What a runtime can do, as data: the core checks an operation's required capabilities
 * against these (see `domain/operations.ts`) and never asks which runtime it is talking to.
 */
export interface RuntimeCapabilities {
  /** Runs a command inside the workload and returns its output (`exec`). */
  readonly exec: boolean;
  /** Gives an interactive terminal inside the workload (`shell`, the browser terminal, SSH). */
  readonly interactiveShell: boolean;
  /** Has a boot console of its own (VMs); containers share the host's kernel and have none. */
  readonly console: boolean;
  /** Workloads get private remote access (Tailscale). */
  readonly remoteAccess: boolean;
  /** CPU and memory can change while the workload runs. */
  readonly liveResize: boolean;
  /**
   * How a workload's root is provided: a file-system tree the runtime snapshots from its image
   * (`filesystem`), a disk image (`disk-image`), or by the host's own tooling (`managed`:
   * extra-container, a Proxmox cluster).
   */
  readonly rootVolume: "filesystem" | "disk-image" | "managed";
}

/** Who a runtime is and what it can do. */
export interface RuntimeInfo {
  /** The name recorded on each workload it runs (`nspawn`, `nixos`, …); the registry dispatches on it. */
  readonly name: string;
  /** The kind of workload it runs. */
  readonly kind: WorkloadKind;
  /** Catalog modules this runtime can realise; create refuses the others with this list. */
  readonly modules: ReadonlySet<string>;
  readonly capabilities: RuntimeCapabilities;
  /**
   * VM runtimes that keep a disk for the undo window (`discardRootDisk`): what that disk is, in
   * words for plans and results ("its root disk"; on Proxmox its workspace disk in a keeper VM),
   * and whether it holds the person's workspace (then the host's workspace snapshot is not
   * what a restore brings back, and plans do not claim it).
   */
  readonly keptDisk?: { readonly words: string; readonly holdsWorkspace: boolean };
}

/** Progress steps of a long operation, in the order they usually happen. */
export type ProgressStep =
  | "preparing"
  | "building"
  | "installing"
  | "starting"
  | "waiting-for-boot"
  | "stopping"
  | "snapshotting"
  | "removing"
  | "restoring"
  | "done";

/** A progress event from a backend or the core. Events are noun-action: `step` or `log`. */
export type ProgressEvent =
  | { readonly type: "step"; readonly step: ProgressStep; readonly message: string }
  | { readonly type: "log"; readonly line: string };

/** Called by backends as work advances. Must not throw. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Host-side inputs the core prepared for a container. */
export interface HostContext {
  /** Owner's user id, for informational labels only (never read back for ownership). */
  readonly ownerLabel: string;
  /** Host directory to bind-mount at `/workspace`, when the workspace is enabled. */
  readonly workspaceHostPath?: string;
  /** The storage's accounting group for the owner (see `StorageDriver.quotaGroup`): opaque; a runtime hands it to `RootVolumes.cloneRoot`. */
  readonly quotaGroup?: string;
  /** Host file holding the remote-access auth key, bind-mounted read-only; never its contents. */
  readonly remoteAccessKeyFile?: string;
  /**
   * A restore of a VM whose root disk the runtime kept at destroy (`DestroyReport.keptRootDisk`):
   * the VM comes back with a copy of that disk (and its host key) instead of a fresh one. The
   * kept disk stays as it is until the core calls `discardRootDisk`.
   */
  readonly rootDiskRef?: string;
  readonly onProgress: ProgressListener;
  readonly signal?: AbortSignal;
}

/** What `Runtime.destroy` is told besides the name. */
export interface DestroyOptions {
  readonly onProgress: ProgressListener;
  /**
   * Keep the workload's root disk for the undo window under this reference (the snapshot's id)
   * instead of deleting it. Only runtimes with `keepsRootDisks` honour it; a retried destroy
   * whose disk is already kept reports it again.
   */
  readonly keepRootDisk?: string;
}

/** What `Runtime.change` needs besides the new spec. */
export interface ChangeOptions extends HostContext {
  /** The spec the workload has now (what a rollback goes back to). */
  readonly previous: WorkloadSpec;
  /** Apply without a restart (only limits changed and the runtime has `liveResize`). */
  readonly live: boolean;
}

/** A file the backend would write, shown by `--dry-run`. */
export interface PlannedArtifact {
  readonly path: string;
  readonly content: string;
}

/** What `create` would do, without doing it. */
export interface RuntimePlan {
  readonly artifacts: readonly PlannedArtifact[];
  /** Host commands in the order they would run. */
  readonly commands: readonly (readonly string[])[];
}

/** Live state of a container as the host reports it. */
export type LiveState = "running" | "stopped" | "starting" | "stopping" | "failed" | "unknown";

/** One container the host knows about, from the batch `list` call. */
export interface LiveContainer {
  readonly name: string;
  readonly state: LiveState;
  readonly addresses: readonly string[];
}

/** Details for `show`, beyond the list entry. */
export interface LiveDetails extends LiveContainer {
  /** When the container last started, if running. */
  readonly since?: Date;
  readonly remoteAccess?: { readonly ip?: string; readonly hostname?: string; readonly state: string };
  /** Backend-specific facts worth showing (unit name, leader pid, …). */
  readonly facts: Readonly<Record<string, string>>;
}

export interface LogEntry {
  readonly time?: Date;
  readonly unit?: string;
  readonly message: string;
}

/** What a destroy did and, if anything was kept on purpose or by failure, what and why. */
export interface DestroyReport {
  /** Steps that did not succeed but did not stop the destroy (e.g. a Tailscale logout of a stopped container). */
  readonly warnings: readonly string[];
  /** The root disk kept for `DestroyOptions.keepRootDisk`, and the bytes it holds on the host. */
  readonly keptRootDisk?: { readonly ref: string; readonly bytes: number };
}

/** A prerequisite check for `voxnix doctor`. */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when the check fails. */
  readonly fix?: string;
}

/** What `exec` is told besides the command: it runs to its end and its output is captured. */
export interface ExecOptions {
  readonly timeoutMs: number;
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * What an attached process runs: the workload's login shell, one command line for that shell
 * (like `ssh host 'cmd'`: the workload's own shell parses it, the host never does), a program
 * and its arguments (`voxnix ctl exec`), or its SFTP server.
 */
export type SessionCommand =
  | { readonly kind: "shell" }
  | { readonly kind: "exec"; readonly command: string }
  | { readonly kind: "argv"; readonly argv: readonly string[] }
  | { readonly kind: "sftp" };

/** How to attach to a workload. */
export interface AttachOptions {
  readonly command: SessionCommand;
  /**
   * A terminal for the process (interactive shells, `ctl shell`, `ssh -t`): stderr is then part
   * of stdout and resizes reach it. Without it, stdin, stdout and stderr are separate streams.
   * Ignored for `sftp`, which is never on a terminal.
   */
  readonly terminal?: TerminalSize & { readonly term: string };
  /** The process is ended after this long, whatever it does. */
  readonly timeoutMs: number;
}

/**
 * A container backend. Every method either resolves or throws a classified `VoxnixError`
 * (`HostFailureError`, `TimeoutError`, `NotFoundError` for an unknown container).
 * Methods that change state must leave nothing half-done: roll back, or throw an error whose
 * message says exactly what was kept.
 */
export interface Runtime {
  info(): RuntimeInfo;

  // Lifecycle
  /** What `create` would write and run, for `--dry-run`. Pure: touches nothing. */
  plan(spec: WorkloadSpec, host: Omit<HostContext, "onProgress" | "signal">): Promise<RuntimePlan>;
  /** Creates and starts the container; resolves once it has booted. */
  create(spec: WorkloadSpec, host: HostContext): Promise<void>;
  start(name: WorkloadName, host: HostContext): Promise<void>;
  /** Clean poweroff with a timeout before kill. Stopping a stopped container succeeds. */
  stop(name: WorkloadName, options: { readonly onProgress: ProgressListener }): Promise<void>;
  /** Removes the container and everything the backend owns for it (not the workspace). Unknown names succeed. */
  destroy(name: WorkloadName, options: DestroyOptions): Promise<DestroyReport>;

  /**
   * Applies a changed spec to an existing workload, keeping its workspace. When it is running
   * it ends up running with the new spec: with `live` (only limits changed, and the runtime has
   * `liveResize`) without a restart, otherwise through a restart. A stopped workload takes the
   * spec at its next start. On failure it throws; the core then applies `previous` the same
   * way to roll back. Absent when the runtime cannot change its workloads.
   */
  change?(name: WorkloadName, spec: WorkloadSpec, options: ChangeOptions): Promise<void>;

  // Queries
  /** Every container on the host, managed or not, in one batch. */
  list(): Promise<readonly LiveContainer[]>;
  /** Details of one container, or undefined when the host does not know it. */
  show(name: WorkloadName): Promise<LiveDetails | undefined>;
  logs(name: WorkloadName, options: { readonly lines: number }): Promise<readonly LogEntry[]>;
  exec(name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult>;
  /**
   * The one interactive path into a running workload: the SSH gateway's sessions, the browser
   * terminal, `voxnix ctl shell` and a streaming `voxnix ctl exec` all attach here. It takes
   * the same confined path as `exec` (the same namespaces, cgroups and filters for a
   * container; the same pinned SSH for a VM), streams instead of capturing, and ends at
   * `timeoutMs` or on `close`. Throws `ConflictError('wrong-state')` when the workload is not
   * running. Absent when the runtime cannot stream into its workloads (`capabilities.exec`
   * false); runtimes without `interactiveShell` refuse a `terminal`.
   */
  attach?(name: WorkloadName, options: AttachOptions): Promise<InteractiveProcess>;
  /**
   * A byte stream to TCP `port` on the workload's *own* loopback (`127.0.0.1`, or `::1` for
   * `family` 6), made from inside the workload, so only its own ports are reached: services
   * bound to its loopback answer (an editor's remote server), and so do those on all its
   * addresses. The SSH gateway uses it for `ssh -L localhost:PORT` and for workloads without an
   * address of their own on the host (a VM on user-mode networking, whose only host address is
   * a forwarded loopback port). The process's stdin goes to the port, its stdout comes from it;
   * `close` ends the connection. When nothing listens it rejects or ends at once. Throws
   * `ConflictError('wrong-state')` when the workload is not running. Absent when the runtime
   * can only be reached at its address (`show().addresses`).
   */
  openPort?(
    name: WorkloadName,
    port: number,
    options: { readonly family?: 4 | 6; readonly timeoutMs: number },
  ): Promise<InteractiveProcess>;

  // VM disks and keys (runtimes that run VMs; absent elsewhere)
  /**
   * Bytes the host allocated for each named workload's root disk (a VM's copy-on-write
   * overlay), for the owner's storage report. Names the runtime does not know are left out.
   */
  rootDiskUsage?(names: readonly WorkloadName[]): Promise<ReadonlyMap<string, number>>;
  /**
   * The workload's SSH host public keys as `type base64` lines, known to the host (a VM's
   * key is generated by voxnix before first boot and pinned). Undefined when it has none.
   */
  hostKeys?(name: WorkloadName): Promise<readonly string[] | undefined>;
  /**
   * Deletes a root disk kept by `destroy` (its undo window passed, or it was restored).
   * Unknown references succeed. Present exactly when the runtime keeps root disks.
   */
  discardRootDisk?(ref: string): Promise<void>;
  /**
   * VMs the runtime found but did not create, recorded as imported (a Proxmox definitions
   * file's `imported` entries). The core decides who may see them and whether they may be
   * started and stopped; nothing else is ever done to them. Absent elsewhere.
   */
  readonly importedVms?: ImportedVmControl;

  // Host
  doctor(): Promise<readonly DoctorCheck[]>;
  /**
   * Builds (or rebuilds) the backend's images: the nspawn base root file system, or the
   * NixOS closures of the module sets listed in the configuration, so later creates are fast.
   */
  buildImages(options: {
    readonly onProgress: ProgressListener;
    readonly signal?: AbortSignal;
  }): Promise<ImageBuildReport>;
}

/** An imported VM as its record names it: the cluster's name and its VMID. */
export interface ImportedVmRef {
  readonly name: string;
  readonly vmid: number;
}

/** What a runtime lets the core do to VMs it did not create. */
export interface ImportedVmControl {
  /** Live details, or undefined when the cluster has no VM with that VMID and name any more. */
  show(vm: ImportedVmRef): Promise<LiveDetails | undefined>;
  /** Whether the runtime's own configuration lets this VM be started and stopped (besides the record's flag). */
  powerAllowedByConfig(vmid: number): boolean;
  /**
   * Starts or stops it (the core has decided it may). Refuses a VMID that holds a VM the
   * runtime manages, or whose name is no longer the recorded one. Starting a running VM and
   * stopping a stopped one succeed.
   */
  power(
    vm: ImportedVmRef,
    operation: "start" | "stop",
    options: { readonly onProgress: ProgressListener },
  ): Promise<void>;
}

/** What `buildImages` produced. */
export interface ImageBuildReport {
  readonly images: readonly { readonly name: string; readonly detail: string }[];
}
