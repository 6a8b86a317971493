/**
 * The full story from issue 5 on real systemd-nspawn and btrfs, through the real app (core,
 * database, backend, storage): create → boots → git inside → write to /workspace → stop →
 * start → file still there → a write past the quota fails → destroy with confirmation →
 * snapshot kept → restore → file back → destroy. Needs root; skipped elsewhere.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe } from "node:test";
import type { App } from "../../src/app/app.js";
import { createE2eEnv, e2eUnavailable, storySteps, type E2eEnv } from "./harness.js";

const skip = e2eUnavailable();
const alice = { userId: "local:alice" as const };

describe("nspawn end-to-end story", { skip, timeout: 20 * 60_000 }, () => {
  let env: E2eEnv;
  let app: App;
  const { step, failed } = storySteps();

  before(async () => {
    env = await createE2eEnv({ diskQuota: "200M" });
    app = await env.app();
  });
  after(async () => {
    await app?.close();
    await env?.cleanup(failed());
  });

  const sh = async (script: string) =>
    app.core.exec(alice, { name: "web", argv: ["sh", "-c", script], timeoutMs: 60_000 });

  step("creates a container that boots", async () => {
    const job = await app.core.create(alice, { name: "web", modules: ["git", "fish"] });
    const workload = await job.wait();
    assert.equal(workload.name, "web");
    assert.equal(workload.live, "running");
    assert.equal(workload.addresses.length, 1);
    // Host details (pids, paths) are for admins; the owner's view leaves them out.
    const details = await app.core.show({ userId: "local:admin" }, "web");
    assert.ok(details.facts.leaderPid, "show reports the leader pid to an admin");
    assert.equal((await app.core.show(alice, "web")).facts.leaderPid, undefined, "and not to the owner");
  });

  step("runs git inside and passes the exit status through", async () => {
    const git = await app.core.exec(alice, { name: "web", argv: ["git", "--version"] });
    assert.equal(git.exitCode, 0);
    assert.match(git.stdout, /^git version \d/);
    const failing = await sh("exit 7");
    assert.equal(failing.exitCode, 7);
    const shell = await sh("getent passwd root | cut -d: -f7");
    assert.equal(shell.stdout.trim(), "/usr/bin/fish", "the fish module makes fish the login shell");
  });

  step("enforces the container's memory limit, also on exec'd commands", async () => {
    await (
      await app.core.create(alice, {
        name: "small",
        modules: ["git"],
        workspace: { enabled: false },
        resources: { memory: "256M" },
      })
    ).wait();
    const hog = await app.core.exec(alice, {
      name: "small",
      argv: ["sh", "-c", "dd if=/dev/zero of=/dev/null bs=400M count=1 2>/dev/null; echo $?"],
    });
    assert.equal(hog.stdout.trim(), "137", "a 400 MB allocation is killed under a 256 MB limit");
    const fits = await app.core.exec(alice, {
      name: "small",
      argv: ["sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo $?"],
    });
    assert.equal(fits.stdout.trim(), "0");
    const { token } = await app.core.destroy(alice, "small");
    await (await app.core.confirm(alice, token)).wait();
  });

  step("stops a command at the exec timeout inside the container too", async () => {
    await assert.rejects(
      app.core.exec(alice, { name: "web", argv: ["sleep", "300"], timeoutMs: 2000 }),
      (error: unknown) => (error as { kind?: string }).kind === "timeout",
    );
    let left = "";
    for (let attempt = 0; attempt < 40; attempt += 1) {
      left = (await sh("ps -eo args | grep -c '^sleep 300' || true")).stdout.trim();
      if (left === "0") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(left, "0", "no sleep is left running inside");
  });

  step("keeps /workspace across stop and start", async () => {
    assert.equal((await sh("echo hello > /workspace/note.txt && sync")).exitCode, 0);
    const stopped = await app.core.stop(alice, "web");
    assert.equal(stopped.live, "stopped");
    const started = await app.core.start(alice, "web");
    assert.equal(started.live, "running");
    assert.equal((await sh("cat /workspace/note.txt")).stdout, "hello\n");
  });

  step("refuses a write past the user's quota", async () => {
    const result = await sh("dd if=/dev/urandom of=/workspace/big bs=1M count=400 conv=fsync 2>&1; echo status=$?");
    assert.match(result.stdout, /Disk quota exceeded/);
    assert.doesNotMatch(result.stdout, /status=0/);
    await sh("rm -f /workspace/big; sync");
  });

  step("destroys with confirmation and keeps a snapshot", async () => {
    const { token } = await app.core.destroy(alice, "web");
    const job = await app.core.confirm(alice, token);
    const result = await job.wait();
    assert.ok(result.snapshot, "a snapshot of the workspace is kept");
    const listed = await app.core.list(alice);
    assert.equal(listed.workloads.length, 0);
    assert.deepEqual(await env.backend().list(), []);
    assert.equal(existsSync(`${env.backend().paths.machines}/web`), false);
  });

  step("restores the workload with its workspace", async () => {
    const job = await app.core.restore(alice, "web");
    const workload = await job.wait();
    assert.equal(workload.live, "running");
    assert.equal((await sh("cat /workspace/note.txt")).stdout, "hello\n");
  });

  step("destroys again and leaves no container behind", async () => {
    const { token } = await app.core.destroy(alice, "web");
    await (await app.core.confirm(alice, token)).wait();
    assert.deepEqual(await env.backend().list(), []);
  });
});
