/**
 * Local port forwarding (`ssh -L 8080:localhost:3000 dev@…`): the core decides (`openForward`)
 * and names the only address the gateway may connect to, the workload's own; the gateway then
 * joins a TCP connection to that address with the SSH channel. Whatever the client asked for
 * (the host, another tenant, the internet) is refused unless the core granted it. A loopback
 * target, and a workload without an address on the host (a VM), are reached through the stream
 * its runtime opens from inside (`Forward.open`). Remote forwarding (`-R`) and Unix sockets are
 * always refused.
 *
 * @module
 */
import { connect } from "node:net";
import type { AcceptConnection, RejectConnection, TcpipRequestInfo } from "ssh2";
import type { Core, Forward, InteractiveProcess } from "../../core/api.js";
import { TimeoutError, VoxnixError } from "../../domain/errors.js";
import type { ChannelContext } from "./channels.js";

/** How long connecting to the workload's port may take. */
export const FORWARD_CONNECT_TIMEOUT_MS = 10_000;

/** What a forward needs from its connection: a session channel's context, with `openForward`. */
export interface ForwardContext extends Omit<ChannelContext, "core"> {
  readonly core: Pick<Core, "openForward">;
}

/** Handles one `direct-tcpip` channel request. */
export async function handleForward(
  accept: AcceptConnection,
  reject: RejectConnection,
  info: TcpipRequestInfo,
  context: ForwardContext,
): Promise<void> {
  const release = context.slots.reserve(context.actor.userId);
  if (!release) return reject();
  let forward;
  try {
    forward = await context.core.openForward(context.actor, {
      name: context.workload,
      host: info.destIP,
      port: info.destPort,
      via: "ssh",
    });
  } catch (error) {
    release();
    if (!(error instanceof VoxnixError)) context.logger.error({ err: error }, "ssh-forward-error");
    else
      context.logger.info(
        { actor: context.actor.userId, workload: context.workload, port: info.destPort, refused: error.kind },
        "ssh-forward-refused",
      );
    return reject();
  }
  const granted = forward;
  if (granted.open !== undefined) return joinStream(accept, reject, granted, granted.open, context, release);
  const socket = connect({ host: granted.address!, port: granted.port });
  socket.setTimeout(FORWARD_CONNECT_TIMEOUT_MS);
  let untrack: () => void = () => undefined;
  let connected = false;
  let done = false;
  socket.once("timeout", () => socket.destroy());
  socket.on("error", () => undefined);
  socket.once("close", () => {
    // A port nobody listens on (or a timeout): refuse the channel rather than accept and drop it.
    if (!connected) reject();
    if (done) return;
    done = true;
    untrack();
    release();
    granted.close();
  });
  socket.once("connect", () => {
    connected = true;
    socket.setTimeout(0);
    const channel = accept();
    untrack = context.track(() => socket.destroy());
    channel.on("error", () => undefined);
    // Traffic either way keeps the SSH connection and the workload's idle timer alive.
    const active = () => {
      context.touch();
      granted.traffic();
    };
    channel.on("data", active);
    socket.on("data", active);
    socket.pipe(channel).pipe(socket);
    channel.once("close", () => socket.destroy());
  });
}

/**
 * A forward the workload's runtime carries from inside (a loopback target, or a VM through its
 * own sshd). The channel is accepted once the stream is open and refused when it cannot open
 * within the connect timeout; a port nobody listens on may also end the stream at once, which
 * closes the channel (the client sees the connection close). The stream's standard output
 * ending ends the channel; the channel closing ends the stream.
 */
async function joinStream(
  accept: AcceptConnection,
  reject: RejectConnection,
  granted: Forward,
  open: NonNullable<Forward["open"]>,
  context: ForwardContext,
  release: () => void,
): Promise<void> {
  let opened: InteractiveProcess;
  try {
    opened = await withTimeout(open(), FORWARD_CONNECT_TIMEOUT_MS);
  } catch (error) {
    release();
    granted.close();
    if (!(error instanceof VoxnixError)) context.logger.error({ err: error }, "ssh-forward-error");
    return reject();
  }
  const stream = opened;
  const channel = accept();
  const untrack = context.track(() => stream.close());
  channel.on("error", () => undefined);
  stream.stdin.on("error", () => undefined);
  const active = () => {
    context.touch();
    granted.traffic();
  };
  channel.on("data", active);
  stream.stdout.on("data", active);
  // The runtime's own messages (ssh's "stdio forwarding failed") are not the port's data.
  stream.stderr?.resume();
  channel.pipe(stream.stdin);
  stream.stdout.pipe(channel);
  channel.once("close", () => stream.close());
  void stream.exit.then(() => {
    untrack();
    release();
    granted.close();
    // Its output is drained by now (the spawner's promise); what was piped is on the channel.
    setImmediate(() => channel.destroy());
  });
}

/** The stream, or a `TimeoutError` after `ms`; a stream that opens after that is closed. */
function withTimeout(promise: Promise<InteractiveProcess>, ms: number): Promise<InteractiveProcess> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new TimeoutError(`The forward did not connect within ${ms} ms.`, ms));
    }, ms);
    promise.then(
      (relay) => {
        clearTimeout(timer);
        if (late) relay.close();
        else resolve(relay);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
