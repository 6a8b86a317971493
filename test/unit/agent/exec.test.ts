import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseExec, splitCommand } from "../../../src/agent/intents/exec.js";
import { parseIntent } from "../../../src/agent/intents/parse.js";
import { createAgentHarness, actor, settle, TEST_USERS } from "./helpers.js";
import { scriptedModel } from "./mock-model.js";

const alice = actor(TEST_USERS.alice);
const bob = actor(TEST_USERS.bob);
const context = { knownNames: ["web"], catalogNames: ["git", "fish"] };

describe("offline engine: commands inside a container", () => {
  it("parses the everyday ways of asking, keeping the command's case and quotes", () => {
    assert.deepEqual(parseExec("run git --version in web"), {
      type: "exec",
      argv: ["git", "--version"],
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseExec("Please run `ls -la /workspace` inside web."), {
      type: "exec",
      argv: ["ls", "-la", "/workspace"],
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseExec("in web run echo 'Hello World'"), {
      type: "exec",
      argv: ["echo", "Hello World"],
      target: { kind: "named", name: "web" },
    });
    assert.deepEqual(parseExec("exec uname -a on it"), {
      type: "exec",
      argv: ["uname", "-a"],
      target: { kind: "reference" },
    });
  });

  it("leaves other sentences to the other intents", () => {
    assert.equal(parseExec("run web"), undefined);
    assert.equal(parseIntent("run web", context).type, "start");
    assert.equal(parseExec("run echo 'unterminated in web"), undefined);
    assert.equal(parseIntent("run git --version in web", context).type, "exec");
  });

  it("splits words without shell semantics", () => {
    assert.deepEqual(splitCommand(`echo "a b" c\\ d 'e$HOME' *`), ["echo", "a b", "c d", "e$HOME", "*"]);
    assert.deepEqual(splitCommand(`printf ''`), ["printf", ""]);
    assert.equal(splitCommand(`echo "open`), undefined);
  });

  it("runs the command in the person's own container and shows the output and status", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web with git"));
    const reply = await harness.pipeline.handle(alice, "run git --version in web");
    assert.deepEqual(
      reply.operations.map((operation) => [operation.operation, operation.input, operation.outcome]),
      [["exec", { name: "web", argv: ["git", "--version"] }, "ok"]],
    );
    const call = harness.backend.calls.find((entry) => entry.method === "exec");
    assert.deepEqual(call?.args.slice(0, 2), ["web", ["git", "--version"]]);
    assert.match(reply.text, /Ran git --version in web\. It finished successfully\.\ngit --version/);
  });

  it("resolves 'it' to the container just discussed and reports a failing status", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web with git"));
    harness.backend.execResult = { exitCode: 2, stdout: "", stderr: "ls: cannot access 'nope'\n" };
    const reply = await harness.pipeline.handle(alice, "run ls nope in it");
    assert.match(reply.text, /It exited with status 2\.\nls: cannot access 'nope'/);
  });

  it("never runs anything in another user's container, and says only that it was not found", async () => {
    const harness = createAgentHarness();
    await settle(await harness.pipeline.handle(alice, "create web with git"));
    const reply = await harness.pipeline.handle(bob, "run rm -rf /workspace in web");
    assert.equal(reply.operations[0]?.outcome, "error");
    assert.equal(reply.operations[0]?.error?.kind, "not-found");
    assert.equal(harness.backend.calls.filter((entry) => entry.method === "exec").length, 0);
  });

  it("answers exec requests offline even when a model is configured", async () => {
    const model = scriptedModel([{ text: "the model should not be asked" }], { cycle: true });
    const harness = createAgentHarness({ model });
    await settle(await harness.pipeline.handle(alice, "/new web git"));
    const reply = await harness.pipeline.handle(alice, "run git --version in web");
    assert.equal(reply.engine, "offline");
    assert.equal(reply.operations[0]?.operation, "exec");
    assert.equal(model.doGenerateCalls.length, 0);
  });
});
