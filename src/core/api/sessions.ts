/**
 * Interactive and streaming access to a workload: one command, a shell (browser terminal or
 * SSH), a session of the SSH gateway, a port forward. Every one goes through the core, so every
 * one is authorized and audited the same way.
 *
 * @module
 */
import type { SessionCommand } from "../../ports/runtime.js";
import type { InteractiveProcess, TerminalSize } from "../../ports/command-runner.js";

/** `exec`'s default and longest timeout, in milliseconds; `ctl exec` streams under the same bounds. */
export const EXEC_TIMEOUT = { defaultMs: 60_000, maxMs: 3_600_000 } as const;

/** The longest a shell on a terminal stays open (the browser terminal, `ctl shell`), then it is hung up. */
export const SHELL_MAX_MS = 8 * 3_600_000;

export interface ExecRequest {
  readonly name: string;
  readonly argv: readonly string[];
  readonly timeoutMs?: number;
}

/** Opening a shell: the workload and the terminal's size in cells. */
export interface ShellRequest {
  readonly name: string;
  readonly cols: number;
  readonly rows: number;
  /**
   * How long the shell survives a dropped connection (`detach`) waiting for a reattach, in
   * milliseconds (0 to 3,600,000); default 0: a dropped connection ends the shell.
   */
  readonly reattachMs?: number;
  /**
   * Told before a workload stopped for idleness is started again for this shell ("starting
   * web…"), after the ownership check; the browser terminal shows it while the person waits.
   */
  readonly onWake?: (message: string) => void;
}

/** Reattaching to a detached (or still attached) shell: its resume token and the terminal's size now. */
export interface AttachShellRequest {
  readonly name: string;
  readonly resumeToken: string;
  readonly cols: number;
  readonly rows: number;
}

/** An open interactive shell in a workload. Closing it (or the shell exiting) is audited. */
export interface ShellSession {
  /** A public handle for audit records. */
  readonly id: string;
  readonly workload: string;
  /**
   * The secret that reattaches this shell (`attachShell`), for its user only; kept in memory,
   * never stored or audited.
   */
  readonly resumeToken: string;
  /** True when this handle reattached an existing shell (its output starts with the scrollback). */
  readonly reattached: boolean;
  /** Types into the shell. */
  write(data: string): void;
  /** Resizes the terminal; sizes out of bounds are ignored. */
  resize(size: { readonly cols: number; readonly rows: number }): void;
  /** Output as it comes; returns an unsubscribe function. */
  onData(listener: (data: string) => void): () => void;
  /** Settles when the shell has ended (never rejects). */
  readonly exited: Promise<{ readonly exitCode: number | null }>;
  /** Hangs up. Idempotent. */
  close(): void;
  /**
   * The connection went away: keep the shell for its grace window (its output goes to the
   * scrollback), then hang up. Without a grace window, the same as `close`.
   */
  detach(): void;
  /** Called once if a reattach elsewhere took the shell over (this handle then gets no more output). */
  onSuperseded(listener: () => void): void;
}

/** The transports sessions arrive through, for the audit record (`cli`: `voxnix ctl shell` and `ctl exec`). */
export type SessionTransport = "ssh" | "web" | "cli";

/** A streaming session in a workload: a shell, one command line or argv, or its SFTP server. */
export interface SessionRequest {
  readonly name: string;
  readonly command: SessionCommand;
  /** A terminal (interactive shells); `term` like `xterm-256color`. */
  readonly terminal?: TerminalSize & { readonly term: string };
  readonly via: SessionTransport;
  /** The session is ended after this long (default and maximum: 12 hours). */
  readonly timeoutMs?: number;
  /**
   * Told before a workload stopped for idleness is started again for this session
   * ("starting web…"), so the person knows why the connection takes a moment.
   */
  readonly onWake?: (message: string) => void;
}

/** An open session. Its audit record is written when it ends: kind, transport, duration and exit status, never its data. */
export interface Session extends InteractiveProcess {
  readonly id: string;
}

/** A TCP connection to a port of a workload (SSH `-L`). Only the workload's own address is ever returned. */
export interface ForwardRequest {
  readonly name: string;
  /** What the client asked to reach: `localhost`, the workload's name or one of its addresses. */
  readonly host: string;
  readonly port: number;
  readonly via: SessionTransport;
}

/**
 * A granted forward: either an address the gateway connects to (the workload's own, on the
 * host's network), or `open`, a stream the workload's runtime makes from inside (a loopback
 * target, or a VM); never both. `close` ends its audit record (idempotent).
 */
export interface Forward {
  readonly address?: string;
  readonly port: number;
  /**
   * Opens the stream through the runtime (`Runtime.openPort`), from inside the workload: for a
   * loopback target, and for a workload without an address of its own (a VM). Rejects, or
   * ends at once, when nothing listens on the port.
   */
  readonly open?: () => Promise<InteractiveProcess>;
  /** Notes bytes carried through the forward (either way) as activity for the idle timer; thinned out by the core, cheap to call per chunk. */
  traffic(): void;
  close(): void;
}
