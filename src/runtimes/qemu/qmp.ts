/**
 * A small QMP (QEMU Machine Protocol) client over the VM's unix socket: connect, read the
 * greeting, negotiate capabilities, send one command, read its answer. Every call has a
 * deadline and closes its connection, so a wedged QEMU can delay a command but never hang it.
 * Answers are bounded (a reply larger than `MAX_REPLY_BYTES` is refused): QMP output can carry
 * guest-written bytes (the serial ring buffer).
 *
 * @module
 */
import { connect } from "node:net";
import { HostFailureError, TimeoutError } from "../../domain/errors.js";

/** Largest QMP reply accepted (the console ring buffer, base64-encoded, plus framing). */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** One QMP command. */
export interface QmpCommand {
  readonly execute: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** Sends `commands` in order over one connection and resolves with their `return` values. */
export function qmp(socketPath: string, commands: readonly QmpCommand[], timeoutMs: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const results: unknown[] = [];
    let buffer = "";
    let received = 0;
    let greeted = false;
    let sent = 0;
    const timer = setTimeout(
      () => finish(new TimeoutError(`QEMU's control socket did not answer within ${timeoutMs} ms.`, timeoutMs)),
      timeoutMs,
    );
    let done = false;
    function finish(error?: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(results);
    }
    const sendNext = (): void => {
      const command = sent === 0 ? { execute: "qmp_capabilities" } : commands[sent - 1];
      if (command === undefined) return finish();
      sent += 1;
      socket.write(`${JSON.stringify(command)}\n`);
    };
    socket.setEncoding("utf8");
    socket.on("error", (error) =>
      finish(new HostFailureError("Could not reach QEMU's control socket.", `${socketPath}: ${error.message}`)),
    );
    socket.on("close", () =>
      finish(
        sent <= commands.length
          ? new HostFailureError("QEMU closed its control socket before answering.", socketPath)
          : undefined,
      ),
    );
    socket.on("data", (chunk: string) => {
      received += chunk.length;
      if (received > MAX_REPLY_BYTES) return finish(new HostFailureError("QEMU's answer was too large.", socketPath));
      buffer += chunk;
      let newline = buffer.indexOf("\n");
      while (newline >= 0 && !done) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
        if (line === "") continue;
        let message: { QMP?: unknown; return?: unknown; error?: { class?: string; desc?: string }; event?: string };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          return finish(
            new HostFailureError("QEMU's control socket sent something that is not JSON.", line.slice(0, 200)),
          );
        }
        if (message.event !== undefined) continue;
        if (!greeted) {
          if (message.QMP === undefined)
            return finish(new HostFailureError("QEMU's control socket did not greet.", line.slice(0, 200)));
          greeted = true;
          sendNext();
          continue;
        }
        if (message.error !== undefined) {
          const name = sent === 1 ? "qmp_capabilities" : commands[sent - 2]?.execute;
          return finish(
            new HostFailureError(
              `QEMU refused ${name}: ${message.error.desc ?? message.error.class ?? "unknown error"}.`,
              socketPath,
            ),
          );
        }
        if (sent > 1) results.push(message.return);
        sendNext();
      }
    });
  });
}
