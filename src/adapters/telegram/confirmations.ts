/**
 * Confirm / Cancel buttons for destructive plans. Callback data is limited to 64 bytes and
 * is visible to the client, so it carries a short random id that maps, on the server, to the
 * core's token and to the one user allowed to press it. The core checks the token's owner
 * again; the check here only spares other people a confusing round trip.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { InlineKeyboard } from "grammy";
import type { PendingConfirmation } from "../../agent/pipeline-api.js";
import type { UserId } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";

/** Callback data prefixes: `c:y:<id>` confirms, `c:n:<id>` cancels. */
export const CONFIRM_PATTERN = /^c:([yn]):([A-Za-z0-9_-]{1,32})$/;

interface Entry {
  readonly token: string;
  readonly userId: UserId;
  readonly expiresAt: Date;
  readonly planHtml: string;
  /** Where the buttons are shown, once sent. */
  location?: { readonly chatId: number; readonly messageId: number };
}

/** A plan message whose buttons are still live. */
export interface LiveButtons {
  readonly chatId: number;
  readonly messageId: number;
  readonly planHtml: string;
}

/** What a button press resolved to. */
export type Resolution =
  | { readonly outcome: "ok"; readonly token: string; readonly planHtml: string }
  | { readonly outcome: "unknown" }
  /** Pressed before (or answered by typing): the message already shows the outcome. */
  | { readonly outcome: "answered" }
  | { readonly outcome: "not-yours" }
  | { readonly outcome: "expired"; readonly planHtml: string };

/** Server-side map from button ids to confirmation tokens. */
export class ConfirmationButtons {
  private readonly entries = new Map<string, Entry>();
  /** Ids answered already, with when, so a second or late press is recognised (pruned after a day). */
  private readonly answered = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Remembers a pending confirmation for `userId` and returns its keyboard (and id, for `attach`). */
  register(
    userId: UserId,
    confirmation: PendingConfirmation,
    planHtml: string,
  ): { readonly id: string; readonly keyboard: InlineKeyboard } {
    this.prune();
    const id = randomBytes(9).toString("base64url");
    this.entries.set(id, { token: confirmation.token, userId, expiresAt: confirmation.expiresAt, planHtml });
    return { id, keyboard: new InlineKeyboard().text("Confirm", `c:y:${id}`).text("Cancel", `c:n:${id}`) };
  }

  /** Records which message shows the buttons of `id`. */
  attach(id: string, chatId: number, messageId: number): void {
    const entry = this.entries.get(id);
    if (entry) entry.location = { chatId, messageId };
  }

  /**
   * Forgets every live button set of `userId` and returns where they are shown, so the caller
   * can remove them (the person answered by typing instead).
   */
  takeAll(userId: UserId): LiveButtons[] {
    const taken: LiveButtons[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.userId !== userId) continue;
      this.consume(id);
      if (entry.location) taken.push({ ...entry.location, planHtml: entry.planHtml });
    }
    return taken;
  }

  /**
   * Resolves a press by `userId` of button `id`. A successful resolution consumes the entry
   * (a token is single use); a press by someone else leaves it for its owner.
   */
  resolve(id: string, userId: UserId): Resolution {
    const entry = this.entries.get(id);
    if (!entry) return this.answered.has(id) ? { outcome: "answered" } : { outcome: "unknown" };
    if (entry.userId !== userId) return { outcome: "not-yours" };
    this.consume(id);
    if (entry.expiresAt.getTime() <= this.clock.now().getTime())
      return { outcome: "expired", planHtml: entry.planHtml };
    return { outcome: "ok", token: entry.token, planHtml: entry.planHtml };
  }

  /** Forgets every live button set (the bot is stopping) and returns where they are shown. */
  takeEverything(): LiveButtons[] {
    const taken: LiveButtons[] = [];
    for (const [id, entry] of this.entries) {
      this.consume(id);
      if (entry.location) taken.push({ ...entry.location, planHtml: entry.planHtml });
    }
    return taken;
  }

  /** Number of remembered confirmations (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops entries well past expiry so the map cannot grow without bound. */
  private prune(): void {
    const now = this.clock.now().getTime();
    const cutoff = now - 60 * 60 * 1000;
    for (const [id, entry] of this.entries) if (entry.expiresAt.getTime() < cutoff) this.entries.delete(id);
    for (const [id, at] of this.answered) if (at < now - 24 * 60 * 60 * 1000) this.answered.delete(id);
  }

  private consume(id: string): void {
    this.entries.delete(id);
    this.answered.set(id, this.clock.now().getTime());
  }
}
