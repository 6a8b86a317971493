/**
 * Idle warnings in open SSH terminals: a person who works over SSH and has no Telegram is told
 * in the session itself, "voxnix: ⏰ web stops in 10 minutes (at 14:05) because nobody has
 * used it; type anything or run `voxnix ctl keep web` to keep it running". Only terminal
 * sessions (a shell with a pty) get it, on their stderr: a command's or SFTP's byte stream
 * is never written into. Only the owner's own sessions on that workload are told.
 *
 * @module
 */
import { clockTime, formatDuration } from "../../domain/idle.js";
import type { UserId } from "../../domain/identity.js";
import type { Notice, NoticeBoard } from "../../ports/notifier.js";

/** Where one open terminal session can be told something. */
interface Listener {
  readonly user: UserId;
  readonly workload: string;
  readonly write: (line: string) => void;
}

/** The plain-text line for an SSH terminal. */
export function noticeLine(notice: Notice): string {
  if (notice.type === "idle-warning") {
    const minutes = Math.max(1, Math.ceil(notice.inMs / 60_000));
    return `⏰ ${notice.workload} stops in ${minutes === 1 ? "1 minute" : `${minutes} minutes`} (at ${clockTime(notice.stopsAt, notice.timeZone)}) because nobody has used it; type anything here to keep it running.`;
  }
  return `💤 ${notice.workload} was stopped after ${formatDuration(notice.idleForMs)} without activity.`;
}

/** The open terminal sessions the gateway can tell about their workload. */
export class SessionNotices {
  readonly #listeners = new Set<Listener>();

  /** Listens to `board` (the appliance's notices); returns the function that stops listening. */
  attach(board: Pick<NoticeBoard, "subscribe">): () => void {
    return board.subscribe(async (notice) => this.deliver(notice));
  }

  /** Registers a terminal session of `user` on `workload`; returns the function that removes it. */
  listen(user: UserId, workload: string, write: (line: string) => void): () => void {
    const listener: Listener = { user, workload, write };
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Writes `notice` into every terminal session its person has open on its workload. */
  deliver(notice: Notice): void {
    const line = noticeLine(notice);
    for (const listener of this.#listeners) {
      if (listener.user !== notice.user || listener.workload !== notice.workload) continue;
      try {
        listener.write(line);
      } catch {
        /* the session is going away */
      }
    }
  }
}
