/**
 * The real `ProcessSpawner`: long-lived host processes whose input and output stream to an
 * SSH channel or a browser terminal. Without a terminal it is a plain `child_process.spawn`
 * with three pipes; with one, the process gets a new pseudo-terminal from `host/pty.ts` (the
 * one pty package, loaded only when a terminal is first asked for), so resizes reach it as
 * SIGWINCH, within the same size limits as the browser terminal's.
 *
 * Every process has a deadline (SIGTERM or SIGHUP, then SIGKILL after a grace period) and an
 * exact environment (nothing of the service's own variables, tokens included). Terminal
 * output respects back-pressure: when the reader falls behind, the pty is paused instead of
 * buffering without bound.
 *
 * @module
 */
import { spawn as spawnChild } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { HostFailureError } from "../domain/errors.js";
import type {
  InteractiveProcess,
  ProcessExit,
  ProcessSpawner,
  SpawnOptions,
  TerminalSize,
} from "../ports/command-runner.js";
import { silentLogger, type Logger } from "../ports/logger.js";
import { clampSize, loadPty, type PtyProcess } from "./pty.js";

/**
 * The spawner a runtime was given, or a clear failure: sessions, terminals and port streams all
 * need one, and a process built without one (some tests, one-shot tools) cannot stream.
 */
export function requireSpawner(spawner: ProcessSpawner | undefined): ProcessSpawner {
  if (!spawner)
    throw new HostFailureError("This voxnix process cannot stream sessions (no process spawner was configured).");
  return spawner;
}

/** Time between the polite signal and SIGKILL. */
export const SPAWN_KILL_GRACE_MS = 3000;

/** Creates the spawner sessions use. */
export function createProcessSpawner(
  options: { readonly logger?: Logger; readonly killGraceMs?: number } = {},
): ProcessSpawner {
  const logger = options.logger ?? silentLogger;
  const killGraceMs = options.killGraceMs ?? SPAWN_KILL_GRACE_MS;
  return {
    async spawn(command, args, spawnOptions) {
      if (!(spawnOptions.timeoutMs > 0))
        throw new RangeError(`spawn("${command}"): timeoutMs must be a positive number.`);
      const started = performance.now();
      const running = spawnOptions.terminal
        ? await spawnOnTerminal(command, args, spawnOptions, killGraceMs)
        : spawnWithPipes(command, args, spawnOptions, killGraceMs);
      void running.exit.then((exit) =>
        logger.debug(
          {
            command,
            exitCode: exit.exitCode,
            signal: exit.signal,
            timedOut: exit.timedOut,
            durationMs: Math.round(performance.now() - started),
          },
          "session-process-end",
        ),
      );
      return running;
    },
  };
}

/** Runs `onTimeout` once after `ms`, and offers a graceful-then-forced kill. */
function deadline(ms: number, kill: (signal: NodeJS.Signals) => void, graceMs: number) {
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    kill("SIGTERM");
    killTimer = setTimeout(() => kill("SIGKILL"), graceMs);
    killTimer.unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    close();
  }, ms);
  timer.unref();
  return {
    close,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
    },
  };
}

function spawnWithPipes(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  graceMs: number,
): InteractiveProcess {
  const child = spawnChild(command, [...args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    shell: false,
  });
  const timer = deadline(options.timeoutMs, (signal) => void child.kill(signal), graceMs);
  // A client that goes away mid-write must not crash the service with EPIPE.
  child.stdin.on("error", () => undefined);
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      timer.clear();
      resolve({ exitCode: 127, signal: null, timedOut: false });
      void error;
    });
    child.once("close", (code, signal) => {
      timer.clear();
      resolve({ exitCode: code, signal, timedOut: timer.timedOut() });
    });
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    resize: () => undefined,
    close: timer.close,
    exit,
  };
}

async function spawnOnTerminal(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  graceMs: number,
): Promise<InteractiveProcess> {
  const terminal = options.terminal!;
  const pty = await loadPty();
  let child: PtyProcess;
  try {
    const size = clampSize(terminal);
    child = pty.spawn(command, [...args], {
      name: terminal.term,
      cols: size.cols,
      rows: size.rows,
      cwd: options.cwd ?? "/",
      env: { ...options.env },
      encoding: null,
    });
  } catch (error) {
    throw new HostFailureError(
      `Cannot start "${command}" on a terminal.`,
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
  let exited = false;
  const timer = deadline(
    options.timeoutMs,
    (signal) => {
      if (exited) return;
      try {
        // On a terminal the polite signal is a hang-up, as when a terminal window closes.
        child.kill(signal === "SIGTERM" ? "SIGHUP" : signal);
      } catch {
        /* already gone */
      }
    },
    graceMs,
  );
  const stdout = new PassThrough();
  child.onData((data: string | Buffer) => {
    if (!stdout.write(data)) child.pause();
  });
  stdout.on("drain", () => child.resume());
  // The pty's socket takes bytes, though the typings say string: input passes as it came,
  // never decoded (a UTF-8 character split across two chunks must stay whole).
  const writeToPty = child.write.bind(child) as (data: string | Buffer) => void;
  const stdin = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!exited) writeToPty(chunk);
      callback();
    },
  });
  const exit = new Promise<ProcessExit>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      exited = true;
      timer.clear();
      // node-pty reports the last output before onExit; end the stream after it.
      setImmediate(() => stdout.end());
      resolve({
        exitCode: signal ? null : exitCode,
        signal: signal ? signalName(signal) : null,
        timedOut: timer.timedOut(),
      });
    });
  });
  return {
    stdin,
    stdout,
    resize: (size: TerminalSize) => {
      if (exited) return;
      try {
        const clamped = clampSize(size);
        child.resize(clamped.cols, clamped.rows);
      } catch {
        /* the terminal closed meanwhile */
      }
    },
    close: timer.close,
    exit,
  };
}

const SIGNALS: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  9: "SIGKILL",
  13: "SIGPIPE",
  15: "SIGTERM",
};
function signalName(signal: number): string {
  return SIGNALS[signal] ?? `SIG${signal}`;
}
