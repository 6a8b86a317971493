/** The shared fakes behave like the ports they replace, failures included. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HostFailureError, NotFoundError, TimeoutError } from "../../../src/domain/errors.js";
import type { WorkloadName } from "../../../src/domain/names.js";
import { FakeCommandRunner } from "../../fakes/fake-command-runner.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";
import { FakeStorageDriver } from "../../fakes/fake-storage-driver.js";
import { FakeClock } from "../../fakes/fake-clock.js";

const name = (value: string) => value as WorkloadName;
const quiet = { onProgress: () => undefined };

void describe("FakeCommandRunner", () => {
  void it("answers scripted argv, records calls, treats non-zero exits as results", async () => {
    const runner = new FakeCommandRunner()
      .on(["machinectl", "list"], { stdout: "dev\n" })
      .onPrefix(["false"], { exitCode: 1, stderr: "nope" });
    const listed = await runner.run("machinectl", ["list"], { timeoutMs: 1000 });
    assert.equal(listed.stdout, "dev\n");
    assert.equal(listed.exitCode, 0);
    const failed = await runner.run("false", ["--anything"], { timeoutMs: 1000 });
    assert.equal(failed.exitCode, 1);
    assert.deepEqual(runner.argvs(), [
      ["machinectl", "list"],
      ["false", "--anything"],
    ]);
  });

  void it("rejects unscripted programs like a missing binary and scripted timeouts with TimeoutError", async () => {
    const runner = new FakeCommandRunner().on(["sleep", "9"], { timeout: true });
    await assert.rejects(runner.run("nix", ["build"], { timeoutMs: 1000 }), HostFailureError);
    await assert.rejects(runner.run("sleep", ["9"], { timeoutMs: 5 }), TimeoutError);
  });

  void it("uses responses in order, the last repeating; later scripts win", async () => {
    const runner = new FakeCommandRunner().on(["x"], { stdout: "1" }, { stdout: "2" });
    assert.equal((await runner.run("x", [], { timeoutMs: 1 })).stdout, "1");
    assert.equal((await runner.run("x", [], { timeoutMs: 1 })).stdout, "2");
    assert.equal((await runner.run("x", [], { timeoutMs: 1 })).stdout, "2");
    runner.on(["x"], (call) => ({ stdout: `called with ${call.options.timeoutMs}` }));
    assert.equal((await runner.run("x", [], { timeoutMs: 7 })).stdout, "called with 7");
  });
});

void describe("FakeRuntime", () => {
  void it("models the port: destroy of unknown and stop of stopped succeed, start of unknown is not found", async () => {
    const backend = new FakeRuntime();
    assert.deepEqual(await backend.destroy(name("ghost"), quiet), { warnings: [] });
    await backend.stop(name("ghost"), quiet);
    await assert.rejects(backend.start(name("ghost"), { ownerLabel: "x", ...quiet }), NotFoundError);
    assert.equal(await backend.show(name("ghost")), undefined);
  });

  void it("injects failures once, in order", async () => {
    const backend = new FakeRuntime();
    backend.failNext("list", new HostFailureError("first"));
    await assert.rejects(backend.list(), /first/);
    assert.deepEqual(await backend.list(), []);
    assert.equal(backend.injector.callsOf("list").length, 2);
  });
});

void describe("FakeStorageDriver", () => {
  void it("restoring onto an existing workspace fails; deleting missing things succeeds", async () => {
    const storage = new FakeStorageDriver();
    await storage.ensureUser("u", 100);
    await storage.createWorkspace("u", "dev");
    const ref = await storage.snapshotWorkspace("u", "dev", "one");
    await assert.rejects(storage.restoreWorkspace(ref, "u", "dev"), /already exists/);
    await storage.deleteWorkspace("u", "missing");
    await storage.deleteSnapshot({ ref: "missing" });
    await assert.rejects(storage.createWorkspace("nobody", "dev"), /does not exist/);
  });

  void it("without quotas it reports null quota and lets writes through", async () => {
    const storage = new FakeStorageDriver({ quotas: false });
    await storage.ensureUser("u", 1);
    await storage.createWorkspace("u", "dev");
    storage.write("u", "dev", 1000);
    assert.deepEqual(await storage.userUsage("u"), { usedBytes: 1000, quotaBytes: null, availableBytes: null });
  });
});

void describe("FakeClock", () => {
  void it("moves only when told", () => {
    const clock = new FakeClock(new Date(0));
    clock.advance(1500);
    assert.equal(clock.now().getTime(), 1500);
    clock.set(new Date(10));
    assert.equal(clock.now().getTime(), 10);
  });
});
