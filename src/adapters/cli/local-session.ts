/**
 * Joins a session in a workload (`core.openSession`) to this process's terminal, the way
 * `ssh` does: with a terminal (`ctl shell` at a terminal, `ctl exec --tty`), the local
 * terminal goes raw so every key reaches the workload's pty, resizes follow the window, and
 * the terminal is restored afterwards whatever happens; without one, standard input is copied
 * in (so `voxnix ctl exec dev -- sh < script` works) and the workload's stdout and stderr come
 * out on ours, separately. Resolves with how the session ended.
 *
 * @module
 */
import type { Session } from "../../core/api.js";
import type { CliIo } from "./context.js";

/** How a session ended, as `openSession` reports it. */
type SessionExit = Awaited<Session["exit"]>;

/** The terminal to ask for: ours, when standard input and output both are one. */
export function localTerminal(
  io: CliIo,
): { readonly term: string; readonly cols: number; readonly rows: number } | undefined {
  const streams = io.streams;
  if (streams?.stdin.isTTY !== true || streams.stdout.isTTY !== true) return undefined;
  return {
    term: process.env.TERM !== undefined && process.env.TERM !== "" ? process.env.TERM : "xterm-256color",
    cols: streams.stdout.columns ?? 80,
    rows: streams.stdout.rows ?? 24,
  };
}

/** Streams the session until it ends; the local terminal is left as it was found. */
export async function joinSession(
  session: Session,
  io: CliIo,
  options: { readonly raw: boolean },
): Promise<SessionExit> {
  const streams = io.streams;
  session.stdin.on("error", () => undefined);
  if (streams === undefined) {
    // Tests: no input, output through the io functions.
    session.stdin.end();
    session.stdout.on("data", (chunk: Buffer) => io.stdout(chunk.toString("utf8")));
    session.stderr?.on("data", (chunk: Buffer) => io.stderr(chunk.toString("utf8")));
    return session.exit;
  }
  const { stdin, stdout, stderr } = streams;
  const raw = options.raw && stdin.isTTY === true;
  const resize = () => session.resize({ cols: stdout.columns ?? 80, rows: stdout.rows ?? 24 });
  if (raw) {
    stdin.setRawMode(true);
    stdout.on("resize", resize);
  }
  // Our stdin stays ours: it is not ended when the session ends, so a terminal keeps working.
  stdin.pipe(session.stdin);
  session.stdout.pipe(stdout, { end: false });
  session.stderr?.pipe(stderr, { end: false });
  try {
    return await session.exit;
  } finally {
    stdin.unpipe(session.stdin);
    stdin.pause();
    if (raw) {
      stdout.off("resize", resize);
      stdin.setRawMode(false);
    }
  }
}
