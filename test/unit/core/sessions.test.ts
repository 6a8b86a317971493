/**
 * Sessions and forwards as core operations: a session streams from the runtime and its audit
 * record is written when it ends, with the exit status and without the command; a forward
 * resolves only names of the workload itself to the workload's own address; a stopped
 * workload is a conflict; bad input changes nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actor, createTestCore, TEST_USERS } from "../../fakes/core-harness.js";
import { createReady, outcome } from "./helpers.js";
import { FakeRuntime } from "../../fakes/fake-runtime.js";

const alice = actor(TEST_USERS.alice);

void describe("openSession", () => {
  void it("streams the runtime's session and audits it when it ends, never its command", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    t.backend.sessionExitCode = 9;
    const session = await t.core.openSession(alice, {
      name: "dev",
      command: { kind: "exec", command: "echo TOKEN=hunter2" },
      via: "ssh",
    });
    assert.match(session.id, /^ses_[0-9a-f]{12}$/);
    let output = "";
    session.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    assert.deepEqual(await session.exit, { exitCode: 9, signal: null, timedOut: false });
    assert.equal(output, "TOKEN=hunter2\n");
    const record = t.db.sqlite
      .prepare("SELECT args_json, outcome FROM operations WHERE operation = 'openSession'")
      .get() as { args_json: string; outcome: string };
    assert.equal(record.outcome, "ok");
    assert.deepEqual(JSON.parse(record.args_json), {
      name: "dev",
      kind: "exec",
      via: "ssh",
      terminal: false,
      ref: session.id,
      exitCode: 9,
    });
  });

  void it("refuses bad input and a stopped workload before the runtime is asked", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const bad = [
      { name: "dev", command: { kind: "rm" }, via: "ssh" },
      { name: "dev", command: { kind: "exec", command: "" }, via: "ssh" },
      { name: "dev", command: { kind: "exec", command: "a\0b" }, via: "ssh" },
      { name: "Dev!", command: { kind: "shell" }, via: "ssh" },
      { name: "dev", command: { kind: "shell" }, via: "carrier-pigeon" },
    ];
    for (const request of bad)
      assert.equal(
        await outcome(t.core.openSession(alice, request as never)),
        "invalid-input",
        JSON.stringify(request),
      );
    await t.core.stop(alice, "dev");
    assert.equal(
      await outcome(t.core.openSession(alice, { name: "dev", command: { kind: "shell" }, via: "ssh" })),
      "conflict:wrong-state",
    );
    assert.equal(t.backend.sessions.length, 0);
  });

  void it("replaces an odd terminal type and clamps nothing it does not need to", async () => {
    const t = createTestCore();
    await createReady(t.core, alice, { name: "dev" });
    const session = await t.core.openSession(alice, {
      name: "dev",
      command: { kind: "shell" },
      via: "web",
      terminal: { term: "x\u001b[31m", cols: 0, rows: 50 },
    });
    assert.deepEqual(t.backend.sessions[0]!.options.terminal, { term: "xterm-256color", cols: 80, rows: 50 });
    session.close();
    await session.exit;
  });
});

void describe("openForward", () => {
  void it("resolves only the workload's own names to its own address", async () => {
    const t = createTestCore();
    const dev = await createReady(t.core, alice, { name: "dev" });
    const own = dev.addresses[0]!;
    for (const host of ["localhost", "127.0.0.1", "::1", "dev", own, "LOCALHOST"]) {
      const forward = await t.core.openForward(alice, { name: "dev", host, port: 8080, via: "ssh" });
      assert.deepEqual([forward.address, forward.port], [own, 8080], host);
      forward.close();
      forward.close();
    }
    for (const host of ["10.231.0.1", "10.231.0.99", "example.com", "0.0.0.0", "127.0.0.2", "host.docker.internal"]) {
      assert.equal(
        await outcome(t.core.openForward(alice, { name: "dev", host, port: 22, via: "ssh" })),
        "invalid-input",
        host,
      );
    }
    for (const port of [0, 65536, 1.5, -1])
      assert.equal(
        await outcome(t.core.openForward(alice, { name: "dev", host: "localhost", port, via: "ssh" })),
        "invalid-input",
      );
    await t.core.stop(alice, "dev");
    assert.equal(
      await outcome(t.core.openForward(alice, { name: "dev", host: "localhost", port: 80, via: "ssh" })),
      "conflict:wrong-state",
    );
  });
});

void describe("openForward to a VM on user-mode networking", () => {
  const vmCore = () => {
    const vms = new FakeRuntime({ name: "fake-vm", kind: "vm", modules: [], userModeNetwork: true });
    return { vms, ...createTestCore({ extraRuntimes: [vms] }) };
  };

  void it("is carried by the runtime from inside the guest, never to the host's loopback address", async () => {
    const t = vmCore();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    t.vms.listening.set("lab", new Set([8080]));
    for (const host of ["localhost", "127.0.0.1", "lab"]) {
      const forward = await t.core.openForward(alice, { name: "lab", host, port: 8080, via: "ssh" });
      assert.equal(forward.address, undefined, "the VM's only host address is the host's own loopback");
      const stream = await forward.open!();
      let echoed = "";
      stream.stdout.on("data", (chunk: Buffer) => (echoed += chunk.toString()));
      stream.stdin.end("ping");
      assert.equal((await stream.exit).exitCode, 0);
      assert.equal(echoed, "ping");
      forward.close();
    }
    assert.deepEqual(
      t.vms.portsOpened,
      [1, 2, 3].map(() => ({ name: "lab", port: 8080 })),
    );
    // The guest's own address or anything else is refused before the runtime is asked.
    for (const host of ["10.0.2.2", "10.0.2.15", "example.com"])
      assert.equal(
        await outcome(t.core.openForward(alice, { name: "lab", host, port: 8080, via: "ssh" })),
        "invalid-input",
        host,
      );
    await t.core.stop(alice, "lab");
    assert.equal(
      await outcome(t.core.openForward(alice, { name: "lab", host: "localhost", port: 8080, via: "ssh" })),
      "conflict:wrong-state",
    );
    assert.equal(t.vms.portsOpened.length, 3);
  });

  void it("refuses a workload whose only address is loopback when its runtime cannot open ports", async () => {
    const t = vmCore();
    await (await t.core.create(alice, { kind: "vm", name: "lab" })).wait();
    t.vms.openPort = undefined;
    assert.equal(
      await outcome(t.core.openForward(alice, { name: "lab", host: "localhost", port: 8080, via: "ssh" })),
      "conflict:wrong-state",
    );
  });
});
