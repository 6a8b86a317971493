/**
 * One SSH "session" channel: its pty and window-change requests, then one of shell, exec or
 * the sftp subsystem, each opened through the core (`openSession`), so policy, the confined
 * exec path and the audit are the core's. The channel and the session are joined both ways;
 * the exit status (or signal) goes back to the client, then the channel closes.
 *
 * Refusals are written to the channel's stderr with an exit status, exactly as the CLI words
 * and numbers them ("not yours" reads and exits like "not found"). Agent and X11 forwarding
 * and environment variables are refused: nothing of the client's machine enters a workload.
 *
 * @module
 */
import type { ServerChannel, Session as SshSession } from "ssh2";
import type { Core, Session, SessionCommand } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import { VoxnixError, type VoxnixErrorKind } from "../../domain/errors.js";
import type { Logger } from "../../ports/logger.js";
import type { SessionSlots } from "./limits.js";
import type { SessionNotices } from "./notices.js";

/** Exit statuses of refused sessions, the same numbers as the CLI's (docs/ssh.md). */
export const REFUSAL_EXIT: Readonly<Record<VoxnixErrorKind, number>> = {
  "invalid-input": 2,
  "not-found": 3,
  conflict: 1,
  quota: 1,
  forbidden: 1,
  "host-failure": 1,
  timeout: 1,
};

/** What a session channel needs from its connection. */
export interface ChannelContext {
  readonly core: Pick<Core, "openSession">;
  readonly actor: Actor;
  /** The workload: the SSH user name. */
  readonly workload: string;
  readonly slots: SessionSlots;
  readonly logger: Logger;
  /** Called on any data either way (idle timeout). */
  readonly touch: () => void;
  /** Registers an open session so the connection can close it when the client goes away. */
  readonly track: (close: () => void) => () => void;
  /** Where a terminal session registers to be told idle warnings (absent: nobody tells it). */
  readonly notices?: SessionNotices;
}

interface Terminal {
  term: string;
  cols: number;
  rows: number;
}

/** Handles the requests of one accepted session channel. */
export function handleSessionChannel(session: SshSession, context: ChannelContext): void {
  let terminal: Terminal | undefined;
  let running: Session | undefined;
  let started = false;

  session.on("pty", (accept, _reject, info) => {
    terminal = { term: info.term, cols: info.cols, rows: info.rows };
    accept?.();
  });
  session.on("window-change", (accept, _reject, info) => {
    if (terminal) terminal = { ...terminal, cols: info.cols, rows: info.rows };
    running?.resize({ cols: info.cols, rows: info.rows });
    accept?.();
  });
  session.on("env", (_accept, reject) => reject?.());
  session.on("auth-agent", (_accept, reject) => reject?.());
  session.on("x11", (_accept, reject) => reject?.());
  session.on("signal", (accept) => accept?.());

  const start = (channel: ServerChannel, command: SessionCommand) => {
    started = true;
    const size = terminal;
    void runSession(channel, command, terminal, context).then((opened) => {
      running = opened;
      // A window change that arrived while the session was opening.
      if (opened && terminal && size && (terminal.cols !== size.cols || terminal.rows !== size.rows))
        opened.resize(terminal);
    });
  };
  session.on("shell", (accept, reject) => {
    if (started) return reject?.();
    start(accept(), { kind: "shell" });
  });
  session.on("exec", (accept, reject, info) => {
    if (started) return reject?.();
    start(accept(), { kind: "exec", command: info.command });
  });
  session.on("subsystem", (accept, reject, info) => {
    if (started || info.name !== "sftp") return reject?.();
    start(accept(), { kind: "sftp" });
  });
}

/** Opens the session in the core and joins it to `channel`; returns it once open (undefined if refused). */
async function runSession(
  channel: ServerChannel,
  command: SessionCommand,
  terminal: Terminal | undefined,
  context: ChannelContext,
): Promise<Session | undefined> {
  const newline = terminal ? "\r\n" : "\n";
  channel.on("error", () => undefined);
  const release = context.slots.reserve(context.actor.userId);
  if (!release) {
    refuse(channel, `voxnix: you already have the most sessions open at once; close one first.${newline}`, 1);
    return undefined;
  }
  let session: Session;
  try {
    // A workload stopped for idleness is started by the core first; say so while the person waits.
    const onWake = (message: string) => {
      try {
        channel.stderr.write(`voxnix: ${message}${newline}`);
      } catch {
        /* the client went away */
      }
    };
    session = await context.core.openSession(context.actor, {
      name: context.workload,
      command,
      via: "ssh",
      onWake,
      ...(terminal ? { terminal } : {}),
    });
  } catch (error) {
    release();
    const failure = error instanceof VoxnixError ? error : undefined;
    if (!failure) context.logger.error({ err: error }, "ssh-session-error");
    refuse(
      channel,
      `voxnix: ${failure?.message ?? "The session could not be opened."}${newline}`,
      failure ? REFUSAL_EXIT[failure.kind] : 1,
    );
    return undefined;
  }
  const untrack = context.track(() => session.close());
  // An idle warning for this workload is written into a terminal session (never into a command's output).
  const unlisten =
    terminal && context.notices
      ? context.notices.listen(context.actor.userId, context.workload, (line) =>
          channel.stderr.write(`\r\nvoxnix: ${line}\r\n`),
        )
      : () => undefined;
  // Client → workload. A client's EOF ends a pipe session's input; on a terminal it means nothing.
  session.stdin.on("error", () => undefined);
  channel.on("data", context.touch);
  channel.pipe(session.stdin, { end: !terminal });
  channel.on("close", () => session.close());
  // Workload → client, with back-pressure through pipe().
  session.stdout.on("data", context.touch);
  session.stdout.pipe(channel, { end: false });
  session.stderr?.on("data", context.touch);
  session.stderr?.pipe(channel.stderr, { end: false });
  const drained = Promise.all([ended(session.stdout), session.stderr ? ended(session.stderr) : Promise.resolve()]);
  void session.exit.then(async (exit) => {
    // Everything the command printed is sent before its exit status and the close.
    await drained;
    untrack();
    unlisten();
    release();
    if (exit.signal !== null && exit.exitCode === null) {
      try {
        channel.exit(exit.signal.replace(/^SIG/, ""), false, exit.timedOut ? "session time limit reached" : "");
      } catch {
        /* the channel is already gone */
      }
    } else {
      safeExit(channel, exit.exitCode ?? 1);
    }
    channel.end();
  });
  return session;
}

function ended(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
}

function refuse(channel: ServerChannel, message: string, code: number): void {
  try {
    channel.stderr.write(message);
  } catch {
    /* the client went away */
  }
  safeExit(channel, code);
  channel.end();
}

function safeExit(channel: ServerChannel, code: number): void {
  try {
    channel.exit(code);
  } catch {
    /* the channel is already closed */
  }
}
