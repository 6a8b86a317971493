/**
 * The runtime conformance suite: what every implementation of the `Runtime` port
 * (`src/ports/runtime.ts`) must do, written once and run by each runtime from its own
 * `*.conformance.test.ts` file (the fake, nspawn for real, nixos and microvm over their fake host programs,
 * QEMU under TCG). A new runtime proves itself by passing it.
 *
 * It checks the port's documented behaviour through the port only: capabilities are data,
 * `plan` touches nothing, the lifecycle (create, stop, start, destroy) shows in the batch
 * `list` and in `show`, stopping a stopped workload and destroying an unknown one succeed,
 * `exec` is offered exactly where the capabilities say so, `attach` (the one interactive
 * path: SSH gateway, browser terminal, `ctl shell`) streams a command's stdout and stderr
 * separately with its exit status, passes input in, and on a terminal echoes, follows a
 * resize, exits with the shell's status and ends on a hang-up; failures are the typed errors
 * the port names (`NotFoundError` for an unknown workload, `ConflictError('name-taken')` for
 * a second create, `ConflictError('wrong-state')` for exec, an attach or a port on a stopped
 * workload). Slow runtimes run a lean subset (`lean`): one workload, one cycle.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConflictError, NotFoundError, VoxnixError } from "../../src/domain/errors.js";
import type { WorkloadName } from "../../src/domain/names.js";
import type { WorkloadSpec } from "../../src/domain/spec.js";
import type { HostContext, LiveState, ProgressEvent, Runtime } from "../../src/ports/runtime.js";

/** One runtime under test, with what it needs around it. */
export interface RuntimeFixture {
  readonly runtime: Runtime;
  /** A valid spec of the runtime's kind, named `name`, as the core would hand it over. */
  spec(name: string): WorkloadSpec;
  /** The host inputs the core would prepare for `name` (a workspace, an owner label). */
  host(name: string): Omit<HostContext, "onProgress" | "signal">;
  /** Removes everything the fixture made (workloads the suite left behind included). */
  cleanup(): Promise<void>;
}

/** How one runtime takes part in the suite. */
export interface RuntimeSubject {
  /** Shown in the test names, e.g. "nspawn (real)". */
  readonly label: string;
  /** Why the subject cannot run on this machine, or undefined when it can (the suite is then skipped, saying why). */
  unavailable?(): string | undefined;
  /** Slow runtimes (QEMU under TCG): one workload and one stop/start cycle only. */
  readonly lean?: boolean;
  /** Upper bound for one lifecycle test, in ms (boots are slow on real hosts). */
  readonly timeoutMs?: number;
  setup(): Promise<RuntimeFixture>;
}

/** Names the suite uses; each runtime's folders and units are derived from them. */
export const CONFORMANCE_NAMES = { main: "conf-a", second: "conf-b", unknown: "conf-nobody" } as const;

const name = (value: string) => value as WorkloadName;

function progress() {
  const events: ProgressEvent[] = [];
  return {
    events,
    listener: (event: ProgressEvent) => {
      events.push(event);
    },
  };
}

async function stateOf(runtime: Runtime, workload: string): Promise<LiveState | undefined> {
  return (await runtime.list()).find((entry) => entry.name === workload)?.state;
}

/** Asserts that `promise` rejects with a `VoxnixError` of class `kind` (and `reason`, for conflicts). */
async function rejectsWith(
  promise: Promise<unknown>,
  kind: typeof NotFoundError | typeof ConflictError,
  reason?: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VoxnixError, `a typed VoxnixError, got ${String(error)}`);
    assert.ok(error instanceof kind, `a ${kind.name}, got ${error.constructor.name}: ${error.message}`);
    if (reason !== undefined) assert.equal((error as ConflictError).reason, reason);
    return true;
  });
}

/** Registers the suite for `subject`. Call it at the top level of a test file. */
export function runtimeConformance(subject: RuntimeSubject): void {
  const skip = subject.unavailable?.();
  const timeout = subject.timeoutMs ?? 60_000;
  void describe(`runtime conformance: ${subject.label}`, { skip: skip ?? false }, () => {
    let fixture: RuntimeFixture;
    let runtime: Runtime;
    const hostFor = (workload: string, listener: (event: ProgressEvent) => void): HostContext => ({
      ...fixture.host(workload),
      onProgress: listener,
    });
    /** Each test starts from a host without the suite's workloads, whatever an earlier failure left. */
    const clear = async () => {
      for (const workload of Object.values(CONFORMANCE_NAMES))
        await runtime.destroy(name(workload), { onProgress: () => undefined }).catch(() => undefined);
    };

    before(async () => {
      fixture = await subject.setup();
      runtime = fixture.runtime;
    });
    after(async () => {
      if (fixture === undefined) return;
      await clear();
      await fixture.cleanup();
    });

    void it("describes itself as data: a name, a kind its specs carry, modules and capabilities", () => {
      const info = runtime.info();
      assert.match(info.name, /^[a-z][a-z0-9-]*$/);
      assert.equal(fixture.spec(CONFORMANCE_NAMES.main).kind, info.kind);
      assert.ok(info.modules instanceof Set);
      for (const flag of ["exec", "interactiveShell", "console", "remoteAccess", "liveResize"] as const) {
        assert.equal(typeof info.capabilities[flag], "boolean", `capabilities.${flag}`);
      }
      assert.ok(["filesystem", "disk-image", "managed"].includes(info.capabilities.rootVolume));
    });

    void it("plans a create without touching the host", async () => {
      const planned = await runtime.plan(fixture.spec(CONFORMANCE_NAMES.main), fixture.host(CONFORMANCE_NAMES.main));
      assert.ok(planned.commands.length > 0, "a plan names the host commands it would run");
      for (const command of planned.commands)
        assert.ok(command.length > 0 && command.every((part) => typeof part === "string"), "commands are argv arrays");
      assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), undefined, "nothing was created");
      assert.equal(await runtime.show(name(CONFORMANCE_NAMES.main)), undefined);
    });

    void it("answers an unknown workload with not found, an absent show, and a destroy that succeeds", async () => {
      const unknown = name(CONFORMANCE_NAMES.unknown);
      assert.equal(await runtime.show(unknown), undefined);
      await rejectsWith(
        runtime.start(
          unknown,
          hostFor(CONFORMANCE_NAMES.unknown, () => undefined),
        ),
        NotFoundError,
      );
      await rejectsWith(runtime.logs(unknown, { lines: 5 }), NotFoundError);
      if (runtime.info().capabilities.exec)
        await rejectsWith(runtime.exec(unknown, ["true"], { timeoutMs: 30_000 }), NotFoundError);
      const report = await runtime.destroy(unknown, { onProgress: () => undefined });
      assert.ok(Array.isArray(report.warnings));
    });

    void it(
      "runs the lifecycle: create, a second create refused, exec, stop (twice), start, destroy (twice)",
      { timeout: timeout * 4 },
      async () => {
        await clear();
        const main = name(CONFORMANCE_NAMES.main);
        const capabilities = runtime.info().capabilities;
        const created = progress();
        await runtime.create(fixture.spec(CONFORMANCE_NAMES.main), hostFor(CONFORMANCE_NAMES.main, created.listener));
        assert.ok(
          created.events.some((event) => event.type === "step"),
          "create reports progress steps",
        );
        assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), "running", "a created workload runs");
        const details = await runtime.show(main);
        assert.equal(details?.state, "running");
        assert.equal(typeof details?.facts, "object");

        await rejectsWith(
          runtime.create(
            fixture.spec(CONFORMANCE_NAMES.main),
            hostFor(CONFORMANCE_NAMES.main, () => undefined),
          ),
          ConflictError,
          "name-taken",
        );
        assert.equal(
          await stateOf(runtime, CONFORMANCE_NAMES.main),
          "running",
          "the refused create left the workload as it was",
        );

        if (capabilities.exec) {
          const echoed = await runtime.exec(main, ["echo", "conformance"], { timeoutMs: 60_000 });
          assert.equal(echoed.exitCode, 0, echoed.stderr);
          assert.match(echoed.stdout, /conformance/);
          const failed = await runtime.exec(main, ["false"], { timeoutMs: 60_000 });
          assert.notEqual(failed.exitCode, 0, "a command's failure is its exit status, not an exception");
        }
        if (runtime.attach !== undefined) await attachCases(runtime, main, capabilities.interactiveShell);

        await runtime.stop(main, { onProgress: () => undefined });
        assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), "stopped");
        await runtime.stop(main, { onProgress: () => undefined });
        assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), "stopped", "stopping a stopped workload succeeds");
        if (capabilities.exec)
          await rejectsWith(runtime.exec(main, ["true"], { timeoutMs: 30_000 }), ConflictError, "wrong-state");
        if (runtime.attach !== undefined)
          await rejectsWith(
            runtime.attach(main, { command: { kind: "exec", command: "true" }, timeoutMs: 30_000 }),
            ConflictError,
            "wrong-state",
          );
        if (runtime.openPort !== undefined)
          await rejectsWith(runtime.openPort(main, 22, { timeoutMs: 30_000 }), ConflictError, "wrong-state");

        await runtime.start(
          main,
          hostFor(CONFORMANCE_NAMES.main, () => undefined),
        );
        assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), "running");
        await runtime.start(
          main,
          hostFor(CONFORMANCE_NAMES.main, () => undefined),
        );
        assert.equal(await stateOf(runtime, CONFORMANCE_NAMES.main), "running", "starting a running workload succeeds");

        if (capabilities.rootVolume === "disk-image" && runtime.rootDiskUsage !== undefined) {
          const usage = await runtime.rootDiskUsage([main, name(CONFORMANCE_NAMES.unknown)]);
          assert.ok((usage.get(CONFORMANCE_NAMES.main) ?? 0) > 0, "a disk-image root has allocated bytes");
          assert.equal(usage.has(CONFORMANCE_NAMES.unknown), false, "names the runtime does not know are left out");
        }

        const report = await runtime.destroy(main, { onProgress: () => undefined });
        assert.ok(Array.isArray(report.warnings));
        assert.equal(
          await stateOf(runtime, CONFORMANCE_NAMES.main),
          undefined,
          "a destroyed workload is gone from the list",
        );
        assert.equal(await runtime.show(main), undefined);
        await runtime.destroy(main, { onProgress: () => undefined });
      },
    );

    void it(
      "lists every workload in one batch, each with its own state",
      { skip: subject.lean === true ? "lean subset" : false, timeout: timeout * 3 },
      async () => {
        await clear();
        const [first, second] = [name(CONFORMANCE_NAMES.main), name(CONFORMANCE_NAMES.second)];
        await runtime.create(
          fixture.spec(first),
          hostFor(first, () => undefined),
        );
        await runtime.create(
          fixture.spec(second),
          hostFor(second, () => undefined),
        );
        await runtime.stop(second, { onProgress: () => undefined });
        const listed = new Map((await runtime.list()).map((entry) => [entry.name, entry.state]));
        assert.equal(listed.get(first), "running");
        assert.equal(listed.get(second), "stopped");
        await runtime.destroy(first, { onProgress: () => undefined });
        await runtime.destroy(second, { onProgress: () => undefined });
        const after = (await runtime.list()).map((entry) => entry.name);
        assert.equal(after.includes(first) || after.includes(second), false);
      },
    );
  });
}

/** Collects a stream's text as it comes. */
function collectText(stream: NodeJS.ReadableStream | undefined): { readonly text: () => string } {
  let text = "";
  stream?.on("data", (chunk: Buffer | string) => (text += chunk.toString()));
  return { text: () => text };
}

/** Waits until `read()` matches `pattern` (a generous deadline: TCG guests are slow). */
async function waitForText(read: () => string, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(read().slice(-400))} never matched ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The one interactive path on a running workload. */
async function attachCases(runtime: Runtime, name: WorkloadName, terminals: boolean): Promise<void> {
  const attach = runtime.attach!.bind(runtime);
  // A command line: stdout and stderr apart, its exit status back (the SSH gateway's `ssh host cmd`).
  const line = await attach(name, {
    command: { kind: "exec", command: "echo out; echo err >&2; exit 3" },
    timeoutMs: 60_000,
  });
  assert.ok(line.stderr !== undefined, "without a terminal, stderr is its own stream");
  const lineOut = collectText(line.stdout);
  const lineErr = collectText(line.stderr);
  line.stdin.end();
  assert.equal((await line.exit).exitCode, 3, "the exit status is the command's");
  assert.match(lineOut.text(), /out/);
  assert.doesNotMatch(lineOut.text(), /err/, "stderr does not leak into stdout");
  assert.match(lineErr.text(), /err/);

  // Words, not a line, with input streamed in (`echo data | voxnix ctl exec dev -- cat`).
  const cat = await attach(name, { command: { kind: "argv", argv: ["cat"] }, timeoutMs: 60_000 });
  const catOut = collectText(cat.stdout);
  cat.stderr?.resume();
  cat.stdin.end("ping from the host\n");
  assert.equal((await cat.exit).exitCode, 0);
  assert.match(catOut.text(), /ping from the host/);

  if (!terminals) {
    await assert.rejects(
      (async () => {
        const refused = await attach(name, {
          command: { kind: "shell" },
          terminal: { term: "xterm", cols: 80, rows: 24 },
          timeoutMs: 30_000,
        });
        refused.close();
      })(),
      "a runtime without interactive shells refuses a terminal",
    );
    return;
  }
  // A login shell on a terminal: typed input runs, a resize reaches it, `exit 4` is its status.
  const shell = await attach(name, {
    command: { kind: "shell" },
    terminal: { term: "xterm-256color", cols: 100, rows: 30 },
    timeoutMs: 120_000,
  });
  assert.equal(shell.stderr, undefined, "on a terminal, stderr is part of stdout");
  const screen = collectText(shell.stdout);
  shell.stdin.write("stty size\r");
  await waitForText(screen.text, /30 100/, "the terminal's size");
  shell.resize({ cols: 120, rows: 40 });
  shell.stdin.write("stty size\r");
  await waitForText(screen.text, /40 120/, "the size after a resize");
  // Quote removal shows the shell ran it: the typed line itself echoes as got""ok.
  shell.stdin.write('echo got""ok\r');
  await waitForText(screen.text, /gotok/, "a typed command's output");
  shell.stdin.write("exit 4\r");
  assert.equal((await shell.exit).exitCode, 4, "the shell's exit status");

  // A hang-up ends a shell that waits for input.
  const hungUp = await attach(name, {
    command: { kind: "shell" },
    terminal: { term: "xterm", cols: 80, rows: 24 },
    timeoutMs: 120_000,
  });
  hungUp.stdout.resume();
  hungUp.close();
  assert.notEqual((await hungUp.exit).exitCode, 0, "a hung-up shell does not end as a success");
}
