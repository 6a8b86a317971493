/**
 * The loopback relay on real processes: the host's perl joins a network namespace (here the
 * test's own, by its pid; the e2e suite does it for a container) and carries bytes both ways,
 * passes a half-close on, ends when the service closes, and refuses a port nobody listens on
 * with a `ConflictError` and no process left behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { describe, it } from "node:test";
import { ConflictError } from "../../../../src/domain/errors.js";
import { createProcessSpawner } from "../../../../src/host/process-spawner.js";
import { connectLoopback, loopbackArgv } from "../../../../src/runtimes/nspawn/loopback.js";
import { freePort } from "../../../../src/host/free-port.js";

const skip = process.getuid?.() !== 0 ? "joining a network namespace needs root" : undefined;

function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe("loopback relay", () => {
  it("checks its arguments before anything runs", () => {
    assert.throws(() => loopbackArgv(0, 80, 4), RangeError);
    assert.throws(() => loopbackArgv(1, 70_000, 4), RangeError);
    const argv = loopbackArgv(42, 8080, 6);
    assert.deepEqual(
      argv.slice(-4),
      ["--", "42", "8080", "6"],
      "input only as checked arguments, never in the program",
    );
  });

  it(
    "carries bytes both ways, passes the client's half-close on and ends when the service closes",
    { skip },
    async () => {
      const { server, port } = await listen((socket) => {
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        // The service answers only after the client's end of input: the half-close reached it.
        socket.on("end", () => socket.end(Buffer.concat([Buffer.from("got "), ...chunks])));
      });
      try {
        const relay = await connectLoopback(createProcessSpawner(), process.pid, {
          port,
          family: 4,
          timeoutMs: 30_000,
        });
        const received: Buffer[] = [];
        relay.stdout.on("data", (chunk: Buffer) => received.push(chunk));
        const binary = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 256));
        relay.stdin.end(binary);
        const exit = await relay.exit;
        assert.equal(exit.exitCode, 0);
        assert.deepEqual(Buffer.concat(received), Buffer.concat([Buffer.from("got "), binary]));
      } finally {
        server.close();
      }
    },
  );

  it("refuses a port nobody listens on with a ConflictError", { skip }, async () => {
    const port = await freePort();
    await assert.rejects(
      connectLoopback(createProcessSpawner(), process.pid, { port, family: 4, timeoutMs: 30_000 }),
      (error: unknown) => {
        assert.ok(error instanceof ConflictError);
        assert.match(
          error.message,
          new RegExp(
            `Port ${port} on the workload's loopback cannot be reached \\(nothing answers on port ${port}: Connection refused\\)`,
          ),
        );
        return true;
      },
    );
  });

  it("refuses a process that does not exist", { skip }, async () => {
    await assert.rejects(
      connectLoopback(createProcessSpawner(), 999_999_999, { port: 80, family: 4, timeoutMs: 30_000 }),
      /no network namespace/,
    );
  });
});
