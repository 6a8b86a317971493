/**
 * Live browser-terminal shells, so a dropped connection does not kill the shell: when the
 * browser's socket goes away the adapter *detaches* the shell instead of hanging it up, and
 * the shell keeps running for a grace window (`http.terminalReattachSeconds`). Within it, the
 * same person can reattach with the shell's resume token and gets the recent output replayed
 * from a bounded scrollback, then the live stream; after it, the shell is hung up and its
 * `closeShell` audit record says it ended detached. This is how Coder's reconnecting PTYs and
 * tmux/screen behave; mosh does the same for SSH.
 *
 * The resume token is 32 random bytes, lives only in this process's memory (never in the
 * database, the audit or a log) and is bound to the user who opened the shell and to the
 * workload: another person's token, or a token for another workload, is "not found".
 * One attachment at a time: a reattach takes the shell over and the previous attachment is
 * told (`superseded`), like `tmux attach -d`.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import type { UserId } from "../domain/identity.js";
import type { InteractiveProcess } from "../ports/command-runner.js";

/** How much recent output a shell keeps for a reattach (characters). */
export const SCROLLBACK_CHARS = 64 * 1024;
/** The longest grace window a caller may ask for. */
export const MAX_REATTACH_MS = 3_600_000;

/** What the registry needs of the running terminal. */
export interface ShellTerminal {
  write(data: string): void;
  resize(size: { readonly cols: number; readonly rows: number }): void;
  onData(listener: (data: string) => void): void;
  hangUp(): void;
}

/**
 * The registry's view of a process attached with a terminal (`Runtime.attach`): text in and
 * out (a character split across chunks arrives whole), resize, hang up. Input after the
 * process ended is dropped, not an error.
 */
export function shellTerminal(process: InteractiveProcess): ShellTerminal {
  process.stdin.on("error", () => undefined);
  return {
    write: (data) => {
      if (process.stdin.writable) process.stdin.write(data);
    },
    resize: (size) => process.resize(size),
    onData: (listener) => {
      const decoder = new StringDecoder("utf8");
      process.stdout.on("data", (chunk: Buffer | string) => {
        const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
        if (text !== "") listener(text);
      });
    },
    hangUp: () => process.close(),
  };
}

/** Why an attachment stopped receiving output. */
export type DetachReason = "superseded";

/** One attachment of a shell (a browser socket); the next attach supersedes it. */
export interface ShellAttachment {
  /** Output from now on (after the replayed scrollback); returns an unsubscribe function. */
  onData(listener: (data: string) => void): () => void;
  /** Called once when another attachment took the shell over. */
  onSuperseded(listener: () => void): void;
  /** Whether this attachment still owns the shell. */
  readonly current: boolean;
  /** Leaves the shell running for its grace window (a dropped connection). No-op unless current. */
  detach(): void;
}

/** A shell the registry keeps. */
export interface LiveShell {
  readonly id: string;
  readonly resumeToken: string;
  readonly userId: UserId;
  readonly workload: string;
  readonly terminal: ShellTerminal;
  /** Settles when the shell has ended. */
  readonly ended: Promise<{ readonly exitCode: number | null }>;
  /** Set once the shell has exited; it cannot be reattached then. */
  exited: boolean;
  /** Set when the grace window ran out (for the audit record). */
  expiredDetached: boolean;
}

/** A new resume token: `vxr_` and 43 base64url characters. */
export function generateResumeToken(): string {
  return `vxr_${randomBytes(32).toString("base64url")}`;
}

/** A bounded buffer of a shell's most recent output. */
class Scrollback {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(data: string): void {
    this.chunks.push(data);
    this.size += data.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    if (this.size > this.limit) {
      const only = this.chunks[0]!;
      this.chunks = [only.slice(only.length - this.limit)];
      this.size = this.limit;
    }
  }

  /** The kept output; when it was cut, from the first line start so no escape sequence is half-replayed. */
  text(): string {
    const all = this.chunks.join("");
    if (this.size < this.limit) return all;
    const newline = all.indexOf("\n");
    return newline >= 0 ? all.slice(newline + 1) : all;
  }
}

interface Entry {
  readonly shell: LiveShell;
  readonly scrollback: Scrollback;
  readonly reattachMs: number;
  attachment?: AttachmentState;
  graceTimer?: NodeJS.Timeout;
}

interface AttachmentState {
  readonly listeners: Set<(data: string) => void>;
  readonly superseded: Set<() => void>;
  current: boolean;
  /** Until the first listener subscribes, nothing is delivered; it then gets the scrollback. */
  replayed: boolean;
}

/** The shells of one core instance. */
export class ShellRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Registers a freshly opened shell and returns its first attachment. */
  open(shell: LiveShell, reattachMs: number): ShellAttachment {
    const entry: Entry = { shell, scrollback: new Scrollback(SCROLLBACK_CHARS), reattachMs };
    this.entries.set(shell.resumeToken, entry);
    shell.terminal.onData((data) => {
      entry.scrollback.push(data);
      const attachment = entry.attachment;
      if (attachment?.current && attachment.replayed) for (const listener of attachment.listeners) listener(data);
    });
    return this.attach(entry);
  }

  /** The shell a resume token stands for, when `userId` opened it for `workload` and it still runs. */
  find(resumeToken: unknown, userId: UserId, workload: string): LiveShell | undefined {
    if (typeof resumeToken !== "string") return undefined;
    const entry = this.entries.get(resumeToken);
    if (!entry || entry.shell.exited || entry.shell.userId !== userId || entry.shell.workload !== workload)
      return undefined;
    return entry.shell;
  }

  /** Takes the shell over (stopping its grace timer); the previous attachment is superseded. */
  reattach(shell: LiveShell): ShellAttachment {
    const entry = this.entries.get(shell.resumeToken);
    if (!entry) throw new Error("not a registered shell");
    return this.attach(entry);
  }

  /** Forgets an exited shell. */
  exited(shell: LiveShell): void {
    shell.exited = true;
    const entry = this.entries.get(shell.resumeToken);
    if (!entry) return;
    if (entry.graceTimer) clearTimeout(entry.graceTimer);
    this.entries.delete(shell.resumeToken);
  }

  /** Shells kept in this process (attached or within their grace window). */
  get size(): number {
    return this.entries.size;
  }

  private attach(entry: Entry): ShellAttachment {
    if (entry.graceTimer) {
      clearTimeout(entry.graceTimer);
      entry.graceTimer = undefined;
    }
    const previous = entry.attachment;
    const state: AttachmentState = { listeners: new Set(), superseded: new Set(), current: true, replayed: false };
    entry.attachment = state;
    if (previous?.current) {
      previous.current = false;
      previous.listeners.clear();
      for (const listener of previous.superseded) listener();
    }
    return {
      onData: (listener) => {
        if (!state.current) return () => undefined;
        state.listeners.add(listener);
        if (!state.replayed) {
          state.replayed = true;
          const kept = entry.scrollback.text();
          if (kept !== "") listener(kept);
        }
        return () => void state.listeners.delete(listener);
      },
      onSuperseded: (listener) => void state.superseded.add(listener),
      get current() {
        return state.current;
      },
      detach: () => {
        if (!state.current || entry.shell.exited) return;
        state.current = false;
        state.listeners.clear();
        if (entry.reattachMs <= 0) {
          entry.shell.terminal.hangUp();
          return;
        }
        entry.graceTimer = setTimeout(() => {
          entry.graceTimer = undefined;
          if (entry.attachment !== state || entry.shell.exited) return;
          entry.shell.expiredDetached = true;
          entry.shell.terminal.hangUp();
        }, entry.reattachMs);
        entry.graceTimer.unref();
      },
    };
  }
}
