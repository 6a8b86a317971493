import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCliHarness } from "../cli/cli-harness.js";

describe("voxnix say", () => {
  it("creates from a sentence, waits for the job and prints the outcome", async () => {
    const harness = createCliHarness();
    const said = await harness.cli(
      "--as",
      "telegram:42",
      "say",
      "spin up a dev container called web with git and fish",
    );
    assert.equal(said.code, 0, said.stderr);
    assert.match(said.stdout, /Creating web with git and fish/);
    assert.match(said.stdout, /web is ready/);
    assert.equal((await harness.core.show({ userId: "telegram:42" }, "web")).owner, "telegram:42");
  });

  it("another user's destroy touches nothing (exit 3); 'destroy it' asks (exit 4); the printed confirm command confirms", async () => {
    const harness = createCliHarness();
    await harness.cli("--as", "telegram:42", "say", "spin up a dev container called web with git and fish");
    const other = await harness.cli("--as", "telegram:43", "say", "destroy web");
    assert.equal(other.code, 3);
    assert.ok(harness.backend.containers.has("web"));
    const plan = await harness.cli("--as", "telegram:42", "say", "destroy it");
    assert.equal(plan.code, 4, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /Destroy web\?/);
    assert.ok(harness.backend.containers.has("web"));
    // A typed "yes" in a new process finds nothing waiting: the token is never stored in chat memory.
    const yes = await harness.cli("--as", "telegram:42", "say", "yes");
    assert.notEqual(yes.code, 4);
    assert.ok(harness.backend.containers.has("web"));
    const hint = /voxnix ctl confirm --as telegram:42 (\S+),/.exec(plan.stdout);
    assert.ok(hint, plan.stdout);
    const confirmed = await harness.cli("--as", "telegram:42", "ctl", "confirm", hint[1] ?? "");
    assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    assert.equal(harness.backend.containers.has("web"), false);
  });

  it("--json adds the operations and their results; --dry-run only plans", async () => {
    const harness = createCliHarness();
    const said = await harness.cli(
      "--as",
      "telegram:42",
      "--json",
      "--dry-run",
      "say",
      "create api with git and 2 cpus",
    );
    assert.equal(said.code, 0, said.stderr);
    const result = said.json().result;
    assert.equal(result.engine, "offline");
    assert.deepEqual(
      result.operations.map((operation: { operation: string; outcome: string }) => [
        operation.operation,
        operation.outcome,
      ]),
      [["planCreate", "ok"]],
    );
    assert.deepEqual(result.operations[0].input, { name: "api", modules: ["git"], cpus: 2 });
    assert.equal(harness.backend.containers.size, 0);
  });

  it("--yes confirms a plan in the same call", async () => {
    const harness = createCliHarness();
    await harness.cli("--as", "telegram:42", "say", "create web");
    const said = await harness.cli("--as", "telegram:42", "--yes", "--json", "say", "destroy web");
    assert.equal(said.code, 0, said.stdout + said.stderr);
    const result = said.json().result;
    assert.deepEqual(
      result.operations.map((operation: { operation: string }) => operation.operation),
      ["destroy", "confirm"],
    );
    assert.equal(result.jobs[0].ok, true);
    assert.equal(harness.backend.containers.has("web"), false);
  });
});
