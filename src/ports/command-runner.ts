/**
 * The one way voxnix runs host programs: an argv array (never a shell string), a timeout on
 * every call, bounded output capture and secret redaction in anything logged.
 *
 * @module
 */

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
  /** `inherit` connects the child to this process's terminal (interactive shells); output is then not captured. */
  readonly stdio?: "pipe" | "inherit";
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

/** How to run a program on a pseudo-terminal. */
export interface TerminalOptions {
  /** Hang up (SIGHUP, then SIGKILL after a grace period) after this many milliseconds. Required. */
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
  /** As for `run`: the child gets exactly `env`. */
  readonly isolatedEnv?: boolean;
  readonly size: TerminalSize;
}

/** A program running on a pseudo-terminal the runner allocated on the host. */
export interface TerminalProcess {
  /** Types into the terminal. */
  write(data: string): void;
  /** Sets the terminal's size (the program gets SIGWINCH). */
  resize(size: TerminalSize): void;
  /** Output as it comes; returns an unsubscribe function. */
  onData(listener: (data: string) => void): () => void;
  /** Settles when the program has ended (never rejects). */
  readonly exited: Promise<{ readonly exitCode: number | null; readonly timedOut: boolean }>;
  /** Hangs up: SIGHUP, then SIGKILL after a grace period. Idempotent. */
  hangUp(): void;
}

/**
 * Runs host commands. `run` resolves with a `CommandResult` for every process that started,
 * whatever its exit status; it rejects with `HostFailureError` only when the program could not
 * be started (missing binary, permission denied), and with `TimeoutError` when it timed out.
 */
export interface CommandRunner {
  run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult>;
  /**
   * Starts `command` on a new pseudo-terminal (for interactive shells in the browser terminal).
   * Rejects with `HostFailureError` when it cannot start.
   */
  spawnTerminal(command: string, args: readonly string[], options: TerminalOptions): Promise<TerminalProcess>;
}
