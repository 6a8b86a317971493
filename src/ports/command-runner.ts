/**
 * The one way voxnix runs host programs: an argv array (never a shell string), a timeout on
 * every call, bounded output capture and secret redaction in anything logged.
 *
 * @module
 */
import type { Readable, Writable } from "node:stream";

export interface CommandOptions {
  /** Kill the process (SIGTERM, then SIGKILL after a grace period) after this many milliseconds. Required. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** Extra environment, merged over the runner's base environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * When true the child gets exactly `env` and nothing of the runner's base environment: for a
   * process that may hand its environment to untrusted code (anything entering a container),
   * so the service's own variables, tokens included, never reach it.
   */
  readonly isolatedEnv?: boolean;
  /** Data written to standard input. */
  readonly input?: string;
  /** Keep at most this many bytes of stdout and of stderr (default 1 MiB each); the rest is dropped and `truncated` set. */
  readonly maxOutputBytes?: number;
  /** Values that must never appear in logs or error messages (replaced by `***`). */
  readonly secrets?: readonly string[];
  /** Called with each chunk of stdout/stderr as it arrives, for progress reporting. */
  readonly onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /** Cancels the command (same kill sequence as a timeout). */
  readonly signal?: AbortSignal;
}

/** How a command ended. Non-zero exits are results, not exceptions; callers classify them. */
export interface CommandResult {
  readonly command: string;
  readonly args: readonly string[];
  /** Exit status, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** A terminal's size in character cells. */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/**
 * Runs host commands. `run` resolves with a `CommandResult` for every process that started,
 * whatever its exit status; it rejects with `HostFailureError` only when the program could not
 * be started (missing binary, permission denied), and with `TimeoutError` when it timed out.
 */
export interface CommandRunner {
  run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult>;
}

/** Options of a long-lived, streaming process (an interactive session). */
export interface SpawnOptions {
  /** The process is ended (SIGTERM, then SIGKILL) after this many milliseconds. Required. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** The complete environment: nothing of the service's own environment is passed. */
  readonly env: Readonly<Record<string, string>>;
  /** Run on a new pseudo-terminal of this type and size; without it, stdin/stdout/stderr are pipes. */
  readonly terminal?: TerminalSize & { readonly term: string };
}

/** How a streaming process ended. */
export interface ProcessExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
}

/**
 * A running process whose input and output are streamed, not captured: what an SSH channel or
 * a browser terminal is connected to. With a terminal, stderr is part of stdout.
 */
export interface InteractiveProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Only without a terminal. */
  readonly stderr?: Readable;
  /** Resizes the terminal (ignored without one). */
  resize(size: TerminalSize): void;
  /** Ends the process: SIGTERM (SIGHUP on a terminal), then SIGKILL after a grace period. Idempotent. */
  close(): void;
  /** Settles once the process has exited and its output is drained; never rejects. */
  readonly exit: Promise<ProcessExit>;
}

/**
 * Starts streaming host processes (argv arrays, never a shell; a timeout on each). Separate
 * from `CommandRunner`, whose calls capture output and finish: sessions stream for hours.
 * `spawn` rejects with `HostFailureError` when the program cannot be started.
 */
export interface ProcessSpawner {
  spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<InteractiveProcess>;
}
