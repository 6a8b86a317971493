/**
 * Messages voxnix sends a person without being asked (an idle warning, an idle stop), as
 * data. The core decides what to say and to whom; an adapter (the Telegram bot) words and
 * delivers it on the person's own channel. Delivery is best effort: a person without a chat
 * simply gets nothing, and the core's decision stands either way.
 *
 * @module
 */
import type { UserId } from "../domain/identity.js";

/** What voxnix tells a person unprompted. */
export type Notice =
  /** "web stops in 10 minutes; reply keep to keep it running". */
  | {
      readonly type: "idle-warning";
      readonly user: UserId;
      readonly workload: string;
      readonly stopsAt: Date;
      readonly inMs: number;
      readonly timeZone?: string;
    }
  /** The workload was stopped after `idleForMs` without activity. */
  | { readonly type: "idle-stop"; readonly user: UserId; readonly workload: string; readonly idleForMs: number };

/** Delivers notices; never throws for a person who cannot be reached. */
export interface Notifier {
  notify(notice: Notice): Promise<void>;
}

/** A notifier that fans out to whoever subscribed (the Telegram bot, when it runs in this process). */
export interface NoticeBoard extends Notifier {
  /** Adds a delivery; returns the function that removes it. */
  subscribe(deliver: (notice: Notice) => Promise<void>): () => void;
}

/** A notice board; deliveries that fail are reported to `onError` and do not stop the others. */
export function createNoticeBoard(onError: (error: unknown, notice: Notice) => void = () => undefined): NoticeBoard {
  const deliveries = new Set<(notice: Notice) => Promise<void>>();
  return {
    subscribe: (deliver) => {
      deliveries.add(deliver);
      return () => void deliveries.delete(deliver);
    },
    notify: async (notice) => {
      await Promise.all(
        [...deliveries].map((deliver) => deliver(notice).catch((error: unknown) => onError(error, notice))),
      );
    },
  };
}
