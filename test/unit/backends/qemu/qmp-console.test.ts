/** The QMP client and the console log against a fake QMP server: answers, errors, deadlines, bounds, hostile text and links. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  appendLog,
  consoleLines,
  drainConsole,
  MAX_LOG_BYTES,
  readLogTail,
} from "../../../../src/runtimes/qemu/console-log.js";
import { qmp } from "../../../../src/runtimes/qemu/qmp.js";
import { startFakeQmpServer } from "../../../fakes/fake-qmp-server.js";

const dir = mkdtempSync(path.join(tmpdir(), "vx-qmp-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const socketPath = () => path.join(dir, `q${(counter += 1)}.sock`);

void describe("QMP client", () => {
  void it("negotiates, sends commands in order and skips events", async () => {
    const file = socketPath();
    const server = await startFakeQmpServer(file);
    const results = await qmp(file, [{ execute: "query-status" }, { execute: "quit" }], 2000);
    assert.deepEqual(server.received, ["qmp_capabilities", "query-status", "quit"]);
    assert.deepEqual(results, [{ status: "running", running: true }, {}]);
    await server.close();
  });

  void it("turns a QMP error into a host failure naming the command", async () => {
    const file = socketPath();
    const server = await startFakeQmpServer(file);
    await assert.rejects(
      qmp(file, [{ execute: "no-such" }], 2000),
      (error: Error & { kind?: string }) => error.kind === "host-failure" && /refused no-such/.test(error.message),
    );
    await server.close();
  });

  void it("gives up at its deadline when QEMU never greets", async () => {
    const file = socketPath();
    const server = await startFakeQmpServer(file, { silent: true });
    await assert.rejects(
      qmp(file, [{ execute: "quit" }], 300),
      (error: Error & { kind?: string }) => error.kind === "timeout",
    );
    await server.close();
  });

  void it("refuses garbage and oversized answers", async () => {
    const garbage = socketPath();
    const bad = await startFakeQmpServer(garbage, { garbage: true });
    await assert.rejects(qmp(garbage, [{ execute: "quit" }], 2000), /not JSON/);
    await bad.close();
    const flood = socketPath();
    const noisy = await startFakeQmpServer(flood, { floodBytes: 5 * 1024 * 1024 });
    await assert.rejects(qmp(flood, [{ execute: "query-status" }], 5000), /too large/);
    await noisy.close();
  });

  void it("fails plainly when nothing listens", async () => {
    await assert.rejects(qmp(path.join(dir, "absent.sock"), [{ execute: "quit" }], 1000), /Could not reach QEMU/);
  });
});

void describe("console log", () => {
  void it("drains the ring buffer into the log, once", async () => {
    const file = socketPath();
    const log = path.join(dir, "drain.log");
    const server = await startFakeQmpServer(file, { console: Buffer.from("boot line 1\nboot line 2\n") });
    assert.equal((await drainConsole(file, log)).toString(), "boot line 1\nboot line 2\n");
    assert.equal((await drainConsole(file, log)).length, 0);
    assert.deepEqual(consoleLines(readLogTail(log), 10), ["boot line 1", "boot line 2"]);
    await server.close();
  });

  void it("strips terminal escapes and control characters a guest prints", () => {
    const hostile = Buffer.from(
      "ok\r\n\u001b[2J\u001b[31mred\u001b[0m\n\u001b]0;owned title\u0007after\nbell\u0007 nul\u0000 del\u007f\ttab\n\u009b31m c1\n",
    );
    assert.deepEqual(consoleLines(hostile, 10), ["ok", "red", "after", "bell nul del\ttab", "31m c1"]);
    assert.deepEqual(consoleLines(Buffer.from("a\nb\nc\n"), 2), ["b", "c"]);
  });

  void it("never follows a link put in the log's place", () => {
    const secret = path.join(dir, "host-secret");
    writeFileSync(secret, "root:hash:shadow\n");
    const log = path.join(dir, "linked.log");
    symlinkSync(secret, log);
    assert.throws(() => readLogTail(log), /replaced by a link/);
    assert.throws(() => appendLog(log, Buffer.from("x")), /replaced by a link/);
    assert.equal(readFileSync(secret, "utf8"), "root:hash:shadow\n");
  });

  void it("stays bounded however much a guest prints", () => {
    const log = path.join(dir, "big.log");
    const chunk = Buffer.alloc(1024 * 1024, "y");
    for (let index = 0; index < 6; index += 1) appendLog(log, chunk);
    assert.ok(statSync(log).size <= 2 * MAX_LOG_BYTES);
    assert.equal(readLogTail(log).length, MAX_LOG_BYTES);
  });
});
