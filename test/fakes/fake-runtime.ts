/**
 * An in-memory container backend that models the port's documented behaviour: create of an
 * existing name is a `name-taken` conflict, destroy of an unknown name succeeds, stop of a
 * stopped container succeeds, start of an unknown one is not found, exec in a stopped one is a
 * `wrong-state` conflict. It passes the runtime conformance suite (test/conformance/). Records every call; failures and pauses
 * are injectable per method.
 *
 * @module
 */
import { PassThrough } from "node:stream";
import { ConflictError, HostFailureError, NotFoundError } from "../../src/domain/errors.js";
import type { WorkloadName } from "../../src/domain/names.js";
import type { ContainerSpec } from "../../src/domain/spec.js";
import type { CommandResult, InteractiveProcess, ProcessExit } from "../../src/ports/command-runner.js";
import { fakeStatement, FakeTerminal } from "./fake-terminal.js";
import type {
  RuntimeInfo,
  RuntimePlan,
  Runtime,
  HostContext,
  DestroyOptions,
  DestroyReport,
  DoctorCheck,
  ExecOptions,
  ImageBuildReport,
  LiveContainer,
  LiveDetails,
  LiveState,
  LogEntry,
  ProgressListener,
  AttachOptions,
  ChangeOptions,
} from "../../src/ports/runtime.js";
import { FailureInjector } from "./fake-failures.js";
import { FIXTURE_MODULE_NAMES } from "./fixture-catalog.js";

/** Methods whose calls can be failed or held. */
export type RuntimeMethod =
  | "plan"
  | "create"
  | "start"
  | "stop"
  | "destroy"
  | "discardRootDisk"
  | "change"
  | "list"
  | "show"
  | "logs"
  | "exec"
  | "attach"
  | "openPort"
  | "doctor"
  | "buildImages";

/** The host key a fake VM answers with (a real ed25519 public key, from the fixture keys). */
export const FAKE_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdy7kfvWCeo99f+SRbrap0jSM7ZBBAMIZqyKU4qnf2k";

/** A container the fake host knows about. */
export interface FakeContainer {
  name: string;
  state: LiveState;
  addresses: string[];
  spec?: ContainerSpec;
  host?: Omit<HostContext, "onProgress" | "signal">;
  managed: boolean;
}

/** Construction options. */
export interface FakeRuntimeOptions {
  readonly name?: string;
  /** The kind of workload it runs (default `container`). */
  readonly kind?: "container" | "vm";
  /** Modules the backend can provide (default: every fixture module). */
  readonly modules?: Iterable<string>;
  readonly remoteAccess?: boolean;
  readonly interactiveShell?: boolean;
  /** Limits change while the workload runs (default false). */
  readonly liveResize?: boolean;
  /** `false` models a runtime without `change` (default: it has one). */
  readonly change?: boolean;
  /**
   * Keeps root disks at destroy when asked (`DestroyOptions.keepRootDisk`) and brings them back
   * on a create with `rootDiskRef`, as the QEMU runtime does (default false: no `discardRootDisk`).
   */
  readonly keepsRootDisks?: boolean;
  /**
   * Models a VM on user-mode networking, as the QEMU runtime runs them: its only address on
   * the host is 127.0.0.1 (a forwarded port), and it offers `openPort`, a stream made from
   * inside the guest (default false: a routable address of its own and no `openPort`).
   */
  readonly userModeNetwork?: boolean;
}

/** A root disk the fake keeps for a destroyed VM. */
export interface FakeKeptRootDisk {
  readonly workload: string;
  readonly bytes: number;
  /** The host key lines the VM had, which come back with the disk. */
  readonly hostKeys?: string[];
}

/** The fake backend. Inspect `containers` and `calls`; steer with `failNext`, `hold`, `addUnmanaged`. */
export class FakeRuntime implements Runtime {
  readonly containers = new Map<string, FakeContainer>();
  readonly injector = new FailureInjector<RuntimeMethod>();
  /** Warnings the next destroys report (e.g. a failed Tailscale logout). */
  destroyWarnings: string[] = [];
  /** Result of `doctor`. */
  doctorChecks: DoctorCheck[] = [{ name: "fake-backend", ok: true, detail: "The fake backend is always ready." }];
  /** Result of `exec` (argv is echoed to stdout unless overridden). */
  execResult: Partial<CommandResult> | undefined;
  /** Allocated root-disk bytes per workload, for `rootDiskUsage` (VM runtimes). */
  readonly rootDisks = new Map<string, number>();
  /** SSH host key lines per workload, for `hostKeys`; a VM fake without an entry answers `FAKE_HOST_KEY`. */
  readonly hostKeyLines = new Map<string, string[]>();
  readonly #info: RuntimeInfo;
  #nextAddress = 2;

  constructor(options: FakeRuntimeOptions = {}) {
    this.#info = {
      name: options.name ?? "fake",
      kind: options.kind ?? "container",
      modules: new Set(options.modules ?? FIXTURE_MODULE_NAMES),
      capabilities: {
        exec: true,
        interactiveShell: options.interactiveShell ?? true,
        console: false,
        remoteAccess: options.remoteAccess ?? true,
        liveResize: options.liveResize ?? false,
        rootVolume: "filesystem",
      },
    };
    if (options.change === false) this.change = undefined;
    if (options.keepsRootDisks !== true) this.discardRootDisk = undefined;
    if (options.userModeNetwork !== true) this.openPort = undefined;
    this.#userModeNetwork = options.userModeNetwork === true;
  }

  readonly #userModeNetwork: boolean;
  /** Ports opened through `openPort`, in order. */
  readonly portsOpened: { name: string; port: number }[] = [];
  /** Ports something listens on inside each workload (`openPort` to any other port ends at once, as a refused connection does). */
  readonly listening = new Map<string, Set<number>>();

  /**
   * A stream to a port inside the workload (absent unless `userModeNetwork`): a stopped one is
   * a `wrong-state` conflict; a listening port echoes what it is sent until its input ends; a
   * port nobody listens on ends at once with ssh's status 255, as `ssh -W` does.
   */
  openPort?: (
    name: WorkloadName,
    port: number,
    options: { readonly timeoutMs: number },
  ) => Promise<InteractiveProcess> = async (name, port, options) => {
    await this.injector.enter("openPort", [name, port, options]);
    const container = this.containers.get(name);
    if (!container) throw new NotFoundError("workload", name);
    if (container.state !== "running")
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    this.portsOpened.push({ name, port });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let settle!: (exit: ProcessExit) => void;
    const exit = new Promise<ProcessExit>((resolve) => (settle = resolve));
    let done = false;
    const end = (result: ProcessExit) => {
      if (done) return;
      done = true;
      stdout.end();
      settle(result);
    };
    if (this.listening.get(name)?.has(port)) {
      stdin.on("data", (chunk: Buffer) => stdout.write(chunk));
      stdin.on("end", () => end({ exitCode: 0, signal: null, timedOut: false }));
    } else {
      setImmediate(() => end({ exitCode: 255, signal: null, timedOut: false }));
    }
    return {
      stdin,
      stdout,
      resize: () => undefined,
      close: () => end({ exitCode: null, signal: "SIGTERM", timedOut: false }),
      exit,
    };
  };

  /** Root disks kept by destroys, by reference. */
  readonly keptRootDisks = new Map<string, FakeKeptRootDisk>();

  /** Deletes a kept root disk; unknown references succeed (absent unless `keepsRootDisks`). */
  discardRootDisk?: (ref: string) => Promise<void> = async (ref) => {
    await this.injector.enter("discardRootDisk", [ref]);
    this.keptRootDisks.delete(ref);
  };

  /**
   * Applies a changed spec as the port documents: a running container restarts with it (or,
   * `live`, keeps running), a stopped one keeps it for its next start; an unknown one is not
   * found. Records every spec applied in `changes`. A failure injected with `failNext("change")`
   * happens after the new spec was half-applied, so a rollback must really put the old one back.
   */
  change?: (name: WorkloadName, spec: ContainerSpec, options: ChangeOptions) => Promise<void> = async (
    name,
    spec,
    options,
  ) => {
    const container = this.containers.get(name);
    if (!container) throw new NotFoundError("workload", name);
    const wasRunning = container.state === "running";
    container.spec = spec;
    if (wasRunning && !options.live) container.state = "stopped";
    await this.injector.enter("change", [name, spec, { live: options.live, previous: options.previous }]);
    if (wasRunning) {
      if (!options.live) this.restarts.push(name);
      container.state = "running";
    }
  };

  /** Names of the containers a change restarted, in order. */
  readonly restarts: string[] = [];

  /** Every recorded call. */
  get calls() {
    return this.injector.calls;
  }

  /** Makes the next call of `method` throw `error`. */
  failNext(method: RuntimeMethod, error: Error): void {
    this.injector.failNext(method, error);
  }

  /** Pauses the next call of `method` until released. */
  hold(method: RuntimeMethod) {
    return this.injector.hold(method);
  }

  /** Puts a container on the fake host that voxnix did not create. */
  addUnmanaged(name: string, state: LiveState = "running"): void {
    this.containers.set(name, { name, state, addresses: [], managed: false });
  }

  info(): RuntimeInfo {
    return this.#info;
  }

  async plan(spec: ContainerSpec, host: Omit<HostContext, "onProgress" | "signal">): Promise<RuntimePlan> {
    await this.injector.enter("plan", [spec, host]);
    return {
      artifacts: [{ path: `/var/lib/fake/${spec.name}.json`, content: JSON.stringify({ spec, host }, null, 2) }],
      commands: [
        ["fake-container", "create", spec.name],
        ["fake-container", "start", spec.name],
      ],
    };
  }

  async create(spec: ContainerSpec, host: HostContext): Promise<void> {
    host.onProgress({ type: "step", step: "building", message: `Building ${spec.name}` });
    await this.injector.enter("create", [spec, stripCallbacks(host)]);
    if (this.containers.has(spec.name))
      throw new ConflictError("name-taken", `A container called "${spec.name}" already exists on this host.`);
    if (host.rootDiskRef !== undefined) {
      // The real runtime copies the kept disk; the kept one stays until discarded.
      const kept = this.keptRootDisks.get(host.rootDiskRef);
      if (kept === undefined) throw new HostFailureError(`The kept root disk ${host.rootDiskRef} is gone.`);
      this.rootDisks.set(spec.name, kept.bytes);
      if (kept.hostKeys !== undefined) this.hostKeyLines.set(spec.name, kept.hostKeys);
    }
    host.onProgress({ type: "log", line: `created ${spec.name}` });
    host.onProgress({ type: "step", step: "starting", message: `Starting ${spec.name}` });
    this.containers.set(spec.name, {
      name: spec.name,
      state: "running",
      addresses: this.#userModeNetwork ? ["127.0.0.1"] : [`10.231.0.${this.#nextAddress++}`],
      spec,
      host: stripCallbacks(host),
      managed: true,
    });
  }

  async rootDiskUsage(names: readonly WorkloadName[]): Promise<ReadonlyMap<string, number>> {
    return new Map(names.filter((name) => this.rootDisks.has(name)).map((name) => [name, this.rootDisks.get(name)!]));
  }

  async hostKeys(name: WorkloadName): Promise<readonly string[] | undefined> {
    if (!this.containers.has(name)) return undefined;
    return this.hostKeyLines.get(name) ?? (this.#info.kind === "vm" ? [FAKE_HOST_KEY] : undefined);
  }

  async start(name: WorkloadName, host: HostContext): Promise<void> {
    await this.injector.enter("start", [name, stripCallbacks(host)]);
    const container = this.containers.get(name);
    if (!container) throw new NotFoundError("workload", name);
    container.state = "running";
  }

  async stop(name: WorkloadName, _options: { readonly onProgress: ProgressListener }): Promise<void> {
    await this.injector.enter("stop", [name]);
    const container = this.containers.get(name);
    if (container) container.state = "stopped";
  }

  async destroy(name: WorkloadName, options: DestroyOptions): Promise<DestroyReport> {
    await this.injector.enter("destroy", [
      name,
      ...(options.keepRootDisk === undefined ? [] : [{ keepRootDisk: options.keepRootDisk }]),
    ]);
    options.onProgress({ type: "step", step: "removing", message: `Removing ${name}` });
    const keep = this.discardRootDisk !== undefined ? options.keepRootDisk : undefined;
    if (keep !== undefined && this.containers.has(name) && !this.keptRootDisks.has(keep)) {
      const hostKeys = this.hostKeyLines.get(name);
      this.keptRootDisks.set(keep, {
        workload: name,
        bytes: this.rootDisks.get(name) ?? 1024 ** 2,
        ...(hostKeys === undefined ? {} : { hostKeys }),
      });
    }
    this.containers.delete(name);
    if (keep !== undefined) this.rootDisks.delete(name);
    const warnings = this.destroyWarnings;
    this.destroyWarnings = [];
    const kept = keep === undefined ? undefined : this.keptRootDisks.get(keep);
    return {
      warnings,
      ...(kept === undefined || keep === undefined ? {} : { keptRootDisk: { ref: keep, bytes: kept.bytes } }),
    };
  }

  async list(): Promise<readonly LiveContainer[]> {
    await this.injector.enter("list", []);
    return [...this.containers.values()].map(({ name, state, addresses }) => ({
      name,
      state,
      addresses: [...addresses],
    }));
  }

  async show(name: WorkloadName): Promise<LiveDetails | undefined> {
    await this.injector.enter("show", [name]);
    const container = this.containers.get(name);
    if (!container) return undefined;
    // Facts shaped like the real backends': some about the workload, some about the host.
    const facts = {
      unit: `fake@${name}.service`,
      root: `/var/lib/voxnix/nspawn/machines/${name}/root`,
      nspawnPid: "4242",
      leaderPid: "4243",
      cgroup: `/sys/fs/cgroup/voxnix/${name}`,
      console: `/run/voxnix/${name}/console`,
      storage: "btrfs snapshot",
      memoryBytes: "1048576",
    };
    return { name, state: container.state, addresses: [...container.addresses], facts };
  }

  async logs(name: WorkloadName, options: { readonly lines: number }): Promise<readonly LogEntry[]> {
    await this.injector.enter("logs", [name, options]);
    if (!this.containers.has(name)) throw new NotFoundError("workload", name);
    return Array.from({ length: options.lines }, (_, index) => ({ message: `${name} log line ${index + 1}` }));
  }

  async exec(name: WorkloadName, argv: readonly string[], options: ExecOptions): Promise<CommandResult> {
    await this.injector.enter("exec", [name, argv, options]);
    const container = this.containers.get(name);
    if (!container) throw new NotFoundError("workload", name);
    if (container.state !== "running")
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    // `false` fails as it does anywhere; every other command echoes its argv and succeeds.
    const fails = argv[0] === "false";
    return {
      command: argv[0] ?? "",
      args: argv.slice(1),
      exitCode: fails ? 1 : 0,
      signal: null,
      stdout: fails ? "" : `${argv.join(" ")}\n`,
      stderr: "",
      timedOut: false,
      truncated: false,
      durationMs: 1,
      ...this.execResult,
    };
  }

  /** Every shell attached with a terminal, newest last (a `FakeTerminal` each; also in `sessions`). */
  readonly terminals: { readonly name: WorkloadName; readonly terminal: FakeTerminal }[] = [];
  /** Exit status of command sessions (they print their command and end). */
  sessionExitCode = 0;
  /** When set, command sessions end killed by this signal instead. */
  sessionSignal: string | undefined;
  /** Every attach, with its options and process. */
  readonly sessions: { name: string; options: AttachOptions; process: InteractiveProcess }[] = [];

  /**
   * `attach` as documented: a stopped container is a `wrong-state` conflict. A shell on a
   * terminal is a `FakeTerminal`. A command line (`exec`) or argv runs its `;`-separated
   * statements as `fakeStatement` models them (echo to stdout or stderr, `exit N`), prints
   * any other statement as is, and exits with `sessionExitCode` unless an `exit` said
   * otherwise; `cat`, a shell without a terminal, and sftp echo their input until it ends
   * (exit 0) or the process is closed (SIGHUP).
   */
  async attach(name: WorkloadName, options: AttachOptions): Promise<InteractiveProcess> {
    await this.injector.enter("attach", [name, options]);
    const container = this.containers.get(name);
    if (!container) throw new NotFoundError("workload", name);
    if (container.state !== "running")
      throw new ConflictError("wrong-state", `"${name}" is not running; start it first.`);
    if (options.command.kind === "shell" && options.terminal !== undefined) {
      const terminal = new FakeTerminal({ cols: options.terminal.cols, rows: options.terminal.rows });
      this.terminals.push({ name, terminal });
      this.sessions.push({ name, options, process: terminal });
      return terminal;
    }
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = options.terminal ? undefined : new PassThrough();
    let settle!: (exit: ProcessExit) => void;
    const exit = new Promise<ProcessExit>((resolve) => (settle = resolve));
    let done = false;
    const end = (result: ProcessExit) => {
      if (done) return;
      done = true;
      stdout.end();
      stderr?.end();
      settle(result);
    };
    const command = options.command;
    const copyInput = () => {
      stdin.on("data", (chunk: Buffer) => stdout.write(chunk));
      stdin.on("end", () => end({ exitCode: 0, signal: null, timedOut: false }));
    };
    if (command.kind === "argv" && command.argv.length === 1 && command.argv[0] === "cat") copyInput();
    else if (command.kind === "exec" || command.kind === "argv") {
      // `sh -c LINE` runs LINE, as a shell would.
      const line =
        command.kind === "exec"
          ? command.command
          : /^(?:\/bin\/)?(?:sh|bash)$/.test(command.argv[0] ?? "") && command.argv[1] === "-c"
            ? (command.argv[2] ?? "")
            : command.argv.join(" ");
      let exitCode: number | null = this.sessionExitCode;
      for (const statement of line.split(";")) {
        const step = fakeStatement(statement);
        // A statement the fake does not know is printed as is, so tests see what ran.
        if (step.unknown) stdout.write(`${statement.trim()}\n`);
        if (step.out) stdout.write(step.out);
        if (step.err) (stderr ?? stdout).write(step.err);
        if (step.exit !== undefined) {
          exitCode = step.exit;
          break;
        }
      }
      const signal = this.sessionSignal;
      setImmediate(() =>
        end(signal ? { exitCode: null, signal, timedOut: false } : { exitCode, signal: null, timedOut: false }),
      );
    } else copyInput();
    const process: InteractiveProcess = {
      stdin,
      stdout,
      ...(stderr ? { stderr } : {}),
      resize: () => undefined,
      close: () => end({ exitCode: null, signal: "SIGHUP", timedOut: false }),
      exit,
    };
    this.sessions.push({ name, options, process });
    return process;
  }

  async doctor(): Promise<readonly DoctorCheck[]> {
    await this.injector.enter("doctor", []);
    return this.doctorChecks;
  }

  async buildImages(options: {
    readonly onProgress: ProgressListener;
    readonly signal?: AbortSignal;
  }): Promise<ImageBuildReport> {
    options.onProgress({ type: "step", step: "building", message: "Building the fake base image" });
    await this.injector.enter("buildImages", []);
    options.onProgress({ type: "step", step: "done", message: "Built the fake base image" });
    return { images: [{ name: "fake-base", detail: "in memory" }] };
  }
}

function stripCallbacks(host: HostContext): Omit<HostContext, "onProgress" | "signal"> {
  const { onProgress: _onProgress, signal: _signal, ...rest } = host;
  return rest;
}
