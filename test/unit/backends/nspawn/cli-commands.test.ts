/**
 * The nspawn engineer's CLI commands over the core test harness: `ctl exec` streams the
 * command's output and passes its exit status through (`--json` captures), and is owner-only;
 * `ctl shell` attaches to the login shell; `images build` is for admins and streams progress.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCliHarness } from "../../cli/cli-harness.js";

const ALICE = "telegram:42";
const BOB = "telegram:43";

describe("ctl exec and ctl shell", () => {
  it("streams the command's output and exits with its status", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const result = await harness.cli(
      "ctl",
      "exec",
      "dev",
      "--as",
      ALICE,
      "--",
      "sh",
      "-c",
      "echo from inside; echo warning >&2; exit 5",
    );
    assert.equal(result.code, 5);
    assert.equal(result.stdout, "from inside\n");
    assert.equal(result.stderr, "warning\n");
    const attached = harness.backend.sessions.at(-1)!;
    assert.deepEqual(attached.options.command, {
      kind: "argv",
      argv: ["sh", "-c", "echo from inside; echo warning >&2; exit 5"],
    });
    assert.equal(attached.options.terminal, undefined, "no terminal unless asked for");
    assert.equal(attached.options.timeoutMs, 60_000, "the exec default timeout");
  });

  it("with --json captures the output into one document", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.execResult = { exitCode: 5, stdout: "from inside\n", stderr: "warning\n" };
    const result = await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--json", "--", "sh", "-c", "exit 5");
    assert.equal(result.code, 5);
    assert.deepEqual(JSON.parse(result.stdout).result, {
      exitCode: 5,
      signal: null,
      stdout: "from inside\n",
      stderr: "warning\n",
      truncated: false,
    });
  });

  it("maps a command killed by a signal to 128 + n", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.sessionSignal = "SIGKILL";
    assert.equal((await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--", "sleep", "100")).code, 137);
  });

  it("refuses --tty without a terminal and a bad --timeout, before anything runs", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const tty = await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--tty", "--", "htop");
    assert.equal(tty.code, 2, tty.stderr);
    assert.match(tty.stderr, /--tty needs standard input and output to be a terminal/);
    const timeout = await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--timeout", "soon", "--", "true");
    assert.equal(timeout.code, 2, timeout.stderr);
    assert.equal(harness.backend.sessions.length, 0);
  });

  it("--dry-run asks the core for the plan and runs nothing", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const exec = await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--dry-run", "--json", "--", "uname", "-a");
    assert.equal(exec.code, 0, exec.stderr);
    assert.deepEqual(JSON.parse(exec.stdout).result, {
      dryRun: true,
      operation: "openSession",
      workload: "dev",
      steps: ["run uname -a in dev"],
    });
    const shell = await harness.cli("ctl", "shell", "dev", "--as", ALICE, "--dry-run");
    assert.equal(shell.code, 0, shell.stderr);
    assert.match(shell.stdout, /Dry run: nothing was changed.*\n.*run a login shell in dev/);
    const theirs = await harness.cli("ctl", "shell", "dev", "--as", BOB, "--dry-run");
    assert.equal(theirs.code, 3, "another user's dry run is not found, as the session would be");
    assert.equal(harness.backend.sessions.length, 0);
    assert.equal(harness.backend.calls.filter((call) => call.method === "exec").length, 0);
  });

  it("answers not-found to another user", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const result = await harness.cli("ctl", "exec", "dev", "--as", BOB, "--", "true");
    assert.equal(result.code, 3, result.stderr);
    assert.equal(harness.backend.sessions.length, 0);
  });

  it("shell attaches to the workload's login shell and is audited as a CLI session", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const result = await harness.cli("ctl", "shell", "dev", "--as", ALICE);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(harness.backend.sessions.at(-1)?.options.command, { kind: "shell" });
    const opened = harness.db.sqlite
      .prepare("SELECT args_json FROM operations WHERE operation = 'openSession' AND outcome = 'ok'")
      .get() as { args_json: string } | undefined;
    const args = JSON.parse(opened?.args_json ?? "{}") as Record<string, unknown>;
    assert.equal(args.via, "cli");
    assert.equal(args.kind, "shell");
  });
});

describe("images build", () => {
  it("is refused for non-admins and runs for admins", async () => {
    const harness = createCliHarness();
    assert.notEqual((await harness.cli("images", "build", "--as", ALICE)).code, 0);
    const built = await harness.cli("images", "build");
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Built /);
  });
});
