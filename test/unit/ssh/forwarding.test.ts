/**
 * The gateway's side of a local port forward, against a real TCP server on loopback: the
 * bytes go both ways, and every chunk either way is reported to the core as traffic (the
 * idle timer's activity) and keeps the SSH connection alive. A refused forward opens nothing.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { Duplex, PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { ServerChannel, TcpipRequestInfo } from "ssh2";
import { handleForward, type ForwardContext } from "../../../src/adapters/ssh/forwarding.js";
import { SessionSlots } from "../../../src/adapters/ssh/limits.js";
import { ConflictError, InvalidInputError } from "../../../src/domain/errors.js";
import type { InteractiveProcess, ProcessExit } from "../../../src/ports/command-runner.js";

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};
const info: TcpipRequestInfo = { srcIP: "127.0.0.1", srcPort: 5555, destIP: "localhost", destPort: 3000 };

/** An SSH channel stand-in: what the client sends is pushed in, what the gateway writes is collected. */
function fakeChannel() {
  const received: Buffer[] = [];
  const channel = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => {
      received.push(chunk);
      callback();
    },
  });
  return { channel, received };
}

void describe("SSH port forwarding", () => {
  let echo: Server;
  let port = 0;
  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    port = (echo.address() as { port: number }).port;
  });
  after(() => echo.close());

  void it("carries bytes both ways and reports each chunk as traffic to the core", async () => {
    let traffic = 0;
    let touched = 0;
    let closed = 0;
    const context: ForwardContext = {
      core: {
        openForward: () =>
          Promise.resolve({
            address: "127.0.0.1",
            port,
            traffic: () => void (traffic += 1),
            close: () => void (closed += 1),
          }),
      },
      actor: { userId: "telegram:1" },
      workload: "web",
      slots: new SessionSlots(2),
      logger: silent,
      touch: () => void (touched += 1),
      track: () => () => undefined,
    };
    const { channel, received } = fakeChannel();
    const accepted = new Promise<void>((resolve) => {
      void handleForward(
        () => {
          resolve();
          return channel as unknown as ServerChannel;
        },
        () => assert.fail("the forward was refused"),
        info,
        context,
      );
    });
    await accepted;
    channel.push("GET / HTTP/1.0\r\n\r\n");
    for (let wait = 0; wait < 100 && Buffer.concat(received).length < 18; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(Buffer.concat(received).toString(), "GET / HTTP/1.0\r\n\r\n");
    // One chunk in from the client, one back from the workload.
    assert.ok(traffic >= 2, `traffic noted ${traffic} times`);
    assert.equal(touched, traffic);
    channel.destroy();
    for (let wait = 0; wait < 100 && closed === 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closed, 1);
  });

  void it("carries a forward the runtime opens from inside (a VM) both ways, and closes the channel when the stream ends", async () => {
    let traffic = 0;
    let closed = 0;
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let settle!: (exit: ProcessExit) => void;
    const exit = new Promise<ProcessExit>((resolve) => (settle = resolve));
    // The guest's port answers upper-cased, then ends (as a server that closes after one reply).
    stdin.on("data", (chunk: Buffer) => {
      stdout.end(chunk.toString().toUpperCase());
      settle({ exitCode: 0, signal: null, timedOut: false });
    });
    const stream: InteractiveProcess = { stdin, stdout, resize: () => undefined, close: () => undefined, exit };
    const context: ForwardContext = {
      core: {
        openForward: () =>
          Promise.resolve({
            port: 3000,
            open: () => Promise.resolve(stream),
            traffic: () => void (traffic += 1),
            close: () => void (closed += 1),
          }),
      },
      actor: { userId: "telegram:1" },
      workload: "lab",
      slots: new SessionSlots(2),
      logger: silent,
      touch: () => undefined,
      track: () => () => undefined,
    };
    const { channel, received } = fakeChannel();
    let destroyed = false;
    channel.on("close", () => (destroyed = true));
    await new Promise<void>((resolve) => {
      void handleForward(
        () => {
          resolve();
          return channel as unknown as ServerChannel;
        },
        () => assert.fail("the forward was refused"),
        info,
        context,
      );
    });
    channel.push("hello");
    for (let wait = 0; wait < 100 && !destroyed; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(Buffer.concat(received).toString(), "HELLO");
    assert.ok(traffic >= 2, `traffic noted ${traffic} times`);
    assert.equal(destroyed, true, "the channel closes with the stream");
    assert.equal(closed, 1, "the forward's audit record ends");
  });

  void it("opens nothing when the core refuses the forward", async () => {
    let traffic = 0;
    const context: ForwardContext = {
      core: { openForward: () => Promise.reject(new InvalidInputError([{ path: "host", message: "no" }])) },
      actor: { userId: "telegram:1" },
      workload: "web",
      slots: new SessionSlots(2),
      logger: silent,
      touch: () => void (traffic += 1),
      track: () => () => undefined,
    };
    let rejected = false;
    await handleForward(
      () => assert.fail("accepted a refused forward"),
      () => void (rejected = true),
      info,
      context,
    );
    assert.equal(rejected, true);
    assert.equal(traffic, 0);
  });

  void it("uses the runtime's loopback connection when the core grants one, and ends it with the channel", async () => {
    let traffic = 0;
    let closed = 0;
    let relayClosed = 0;
    const slots = new SessionSlots(1);
    // A relay stand-in: what goes into stdin comes back on stdout (an echo service inside).
    const relayIn = new PassThrough();
    let exited: () => void = () => undefined;
    const relay = {
      stdin: relayIn,
      stdout: relayIn,
      resize: () => undefined,
      close: () => {
        relayClosed += 1;
        relayIn.end();
        exited();
      },
      exit: new Promise<{ exitCode: number; signal: null; timedOut: boolean }>(
        (resolve) => (exited = () => resolve({ exitCode: 0, signal: null, timedOut: false })),
      ),
    };
    const context: ForwardContext = {
      core: {
        openForward: () =>
          Promise.resolve({
            port: 1,
            open: () => Promise.resolve(relay),
            traffic: () => void (traffic += 1),
            close: () => void (closed += 1),
          }),
      },
      actor: { userId: "telegram:1" },
      workload: "web",
      slots,
      logger: silent,
      touch: () => undefined,
      track: () => () => undefined,
    };
    const { channel, received } = fakeChannel();
    await new Promise<void>((resolve) => {
      void handleForward(
        () => {
          resolve();
          return channel as unknown as ServerChannel;
        },
        () => assert.fail("the forward was refused"),
        info,
        context,
      );
    });
    channel.push("ping");
    for (let wait = 0; wait < 100 && Buffer.concat(received).length < 4; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(Buffer.concat(received).toString(), "ping", "the bytes went through the relay, not to 10.0.0.9:1");
    assert.ok(traffic >= 1);
    assert.equal(slots.reserve("telegram:1"), undefined, "the forward holds its slot while open");
    channel.destroy();
    for (let wait = 0; wait < 100 && closed === 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(relayClosed >= 1, true, "closing the channel ends the relay");
    assert.equal(closed, 1, "and the audit record");
    assert.ok(slots.reserve("telegram:1"), "and frees the slot");
  });

  void it("refuses the channel when nothing answers on the workload's loopback", async () => {
    let closed = 0;
    const slots = new SessionSlots(1);
    const context: ForwardContext = {
      core: {
        openForward: () =>
          Promise.resolve({
            port: 1,
            open: () => Promise.reject(new ConflictError("wrong-state", "nothing answers")),
            traffic: () => undefined,
            close: () => void (closed += 1),
          }),
      },
      actor: { userId: "telegram:1" },
      workload: "web",
      slots,
      logger: silent,
      touch: () => undefined,
      track: () => () => undefined,
    };
    let rejected = false;
    await handleForward(
      () => assert.fail("accepted a forward nobody answers"),
      () => void (rejected = true),
      info,
      context,
    );
    assert.equal(rejected, true);
    assert.equal(closed, 1, "the audit record is closed");
    assert.ok(slots.reserve("telegram:1"), "the slot is free again");
  });
});
