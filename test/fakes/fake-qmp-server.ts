/**
 * A QMP server on a unix socket modelling QEMU's documented behaviour: a greeting, then
 * commands refused with `CommandNotFound` until `qmp_capabilities`, one JSON answer per line,
 * asynchronous events interleaved, `ringbuf-read` draining a buffer, and `quit` answering then
 * closing. Options make it misbehave (never greet, send garbage, flood) for the failure paths.
 *
 * @module
 */
import { createServer, type Server, type Socket } from "node:net";

/** How the fake answers. */
export interface FakeQmpOptions {
  readonly silent?: boolean;
  readonly garbage?: boolean;
  /** Bytes of console output `ringbuf-read` returns (and then forgets). */
  console?: Buffer;
  /** Send this many bytes of event noise before each answer. */
  readonly floodBytes?: number;
}

/** The running fake: the commands it received, and `close()`. */
export interface FakeQmpServer {
  readonly received: string[];
  readonly options: FakeQmpOptions;
  close(): Promise<void>;
}

/** Starts the fake on `socketPath`. */
export function startFakeQmpServer(socketPath: string, options: FakeQmpOptions = {}): Promise<FakeQmpServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (options.silent) return;
    if (options.garbage) {
      socket.write("this is not json\n");
      return;
    }
    socket.write(
      `${JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: ["oob"] } })}\n`,
    );
    let negotiated = false;
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
        const command = JSON.parse(line) as { execute: string; arguments?: Record<string, unknown> };
        received.push(command.execute);
        if (options.floodBytes !== undefined)
          socket.write(`${JSON.stringify({ event: "NOISE", data: "x".repeat(options.floodBytes) })}\n`);
        socket.write(`${JSON.stringify({ event: "RTC_CHANGE", data: { offset: 0 } })}\n`);
        if (command.execute === "qmp_capabilities") {
          negotiated = true;
          socket.write('{"return": {}}\n');
        } else if (!negotiated) {
          socket.write(
            `${JSON.stringify({ error: { class: "CommandNotFound", desc: "Expecting capabilities negotiation with 'qmp_capabilities'" } })}\n`,
          );
        } else if (command.execute === "ringbuf-read") {
          const data = options.console ?? Buffer.alloc(0);
          options.console = Buffer.alloc(0);
          socket.write(`${JSON.stringify({ return: data.toString("base64") })}\n`);
        } else if (command.execute === "quit") {
          socket.end('{"return": {}}\n');
        } else if (command.execute === "query-status") {
          socket.write('{"return": {"status": "running", "running": true}}\n');
        } else {
          socket.write(
            `${JSON.stringify({ error: { class: "CommandNotFound", desc: `The command ${command.execute} has not been found` } })}\n`,
          );
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(socketPath, () =>
      resolve({
        received,
        options,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
