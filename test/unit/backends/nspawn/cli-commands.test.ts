/**
 * The nspawn engineer's CLI commands over the core test harness: `ctl exec` passes the
 * command's exit status and output through and is owner-only, `ctl shell` asks for an
 * interactive exec, `images build` is for admins and streams progress.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCliHarness } from "../../cli/cli-harness.js";

const ALICE = "telegram:42";
const BOB = "telegram:43";

describe("ctl exec and ctl shell", () => {
  it("exits with the command's status and prints its output", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.execResult = { exitCode: 5, stdout: "from inside\n", stderr: "warning\n" };
    const result = await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--", "sh", "-c", "exit 5");
    assert.equal(result.code, 5);
    assert.equal(result.stdout, "from inside\n");
    assert.equal(result.stderr, "warning\n");
  });

  it("maps a command killed by a signal to 128 + n", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.execResult = { exitCode: null, signal: "SIGKILL" };
    assert.equal((await harness.cli("ctl", "exec", "dev", "--as", ALICE, "--", "sleep", "100")).code, 137);
  });

  it("answers not-found to another user", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    const result = await harness.cli("ctl", "exec", "dev", "--as", BOB, "--", "true");
    assert.equal(result.code, 3, result.stderr);
  });

  it("shell asks the backend for an interactive login shell", async () => {
    const harness = createCliHarness();
    await harness.cli("ctl", "create", "dev", "--as", ALICE);
    harness.backend.execResult = { exitCode: 0 };
    const result = await harness.cli("ctl", "shell", "dev", "--as", ALICE);
    assert.equal(result.code, 0, result.stderr);
    const call = harness.backend.calls.findLast((entry) => entry.method === "exec");
    assert.deepEqual(call?.args[1], ["su", "-l", "root"]);
    assert.equal((call?.args[2] as { stdio?: string }).stdio, "inherit");
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
