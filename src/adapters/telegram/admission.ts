/**
 * Admission of new Telegram users. The core decides who is pending, active or denied; this
 * module tells a waiting person politely (once in full, briefly after that), sends every
 * admin a message with Approve / Deny buttons, and carries out a decision *as the admin who
 * pressed* — the core refuses anyone else — then updates the admins' messages and tells the
 * person.
 *
 * @module
 */
import { InlineKeyboard, type Api } from "grammy";
import type { Core, UserView } from "../../core/api.js";
import { VoxnixError } from "../../domain/errors.js";
import type { Actor, UserId } from "../../domain/identity.js";
import type { Logger } from "../../ports/logger.js";
import { DENIED_HTML, STILL_WAITING_HTML, WAITING_HTML, WAITING_NO_ADMIN_HTML, welcomeHtml } from "./format.js";
import { privateChatIdOf } from "./identity.js";
import { describeError, errorFields } from "./on-error.js";
import { bold, code, escapeHtml } from "./render.js";
import { editHtml, sendHtml } from "./send.js";

/** Callback data: `u:a:<telegram id>` approves, `u:d:<telegram id>` denies. */
export const DECISION_PATTERN = /^u:([ad]):(\d{1,20})$/;

/** How long a user seen active skips the admission check. */
const ACTIVE_CACHE_MS = 60_000;

/** The built-in local administrator, used to look up who the admins are. */

export interface AdmissionOptions {
  readonly core: Core;
  readonly api: Api;
  readonly logger: Logger;
  /** `users.admins` from the configuration. */
  readonly configuredAdmins: readonly UserId[];
}

/** The outcome of a decision, for whoever asked (a button or `/approve`). */
export type DecisionOutcome =
  | { readonly ok: true; readonly user: UserView; readonly already: boolean }
  | { readonly ok: false; readonly message: string };

/** Where a message is. */
interface MessageLocation {
  readonly chatId: number;
  readonly messageId: number;
}

/** Admission state and actions for one bot. */
export class Admission {
  private readonly greeted = new Set<UserId>();
  /**
   * Users recently seen active, so a chat message does not cost a `whoami` (and an audit
   * record) every time. Only this gate is cached: the core checks status on every operation.
   */
  private readonly recentlyActive = new Map<UserId, number>();
  private readonly adminMessages = new Map<UserId, MessageLocation[]>();

  constructor(private readonly options: AdmissionOptions) {}

  /** The actor's status according to the core (registering them on first contact). */
  async status(actor: Actor): Promise<UserView["status"]> {
    try {
      return (await this.options.core.whoami(actor)).status;
    } catch (error) {
      if (VoxnixError.isInstance(error) && error.kind === "forbidden" && error.reason !== "admin-only")
        return error.reason;
      throw error;
    }
  }

  /**
   * Lets `actor` through when active. Otherwise answers them (waiting or declined), asks the
   * admins the first time, and returns false.
   */
  async admit(actor: Actor, chatId: number): Promise<boolean> {
    if ((this.recentlyActive.get(actor.userId) ?? 0) > Date.now()) return true;
    const status = await this.status(actor);
    if (status === "active") {
      this.recentlyActive.set(actor.userId, Date.now() + ACTIVE_CACHE_MS);
      return true;
    }
    this.recentlyActive.delete(actor.userId);
    if (status === "denied") {
      await sendHtml(this.options.api, chatId, DENIED_HTML);
      return false;
    }
    if (this.greeted.has(actor.userId)) {
      await sendHtml(this.options.api, chatId, STILL_WAITING_HTML);
      return false;
    }
    // Greeted only once an admin was actually asked; otherwise the next message tries again.
    const asked = await this.askAdmins(actor);
    if (asked) this.greeted.add(actor.userId);
    await sendHtml(this.options.api, chatId, asked ? WAITING_HTML : WAITING_NO_ADMIN_HTML);
    return false;
  }

  /**
   * Private chat ids of every Telegram admin: the configured ones, plus (when a person's
   * request is to be delivered) the active admins the core names for that person.
   */
  async adminChatIds(asker?: Actor): Promise<number[]> {
    const ids = new Set<UserId>(this.options.configuredAdmins);
    if (asker !== undefined) {
      try {
        for (const id of await this.options.core.listAdmins(asker)) ids.add(id);
      } catch (error) {
        this.options.logger.warn(errorFields(error), "could not list admins");
      }
    }
    return [...ids].map(privateChatIdOf).filter((id): id is number => id !== undefined);
  }

  /**
   * Approves or denies `target` as `admin`. The core checks that `admin` is an admin. On
   * success the admins' request messages (and `pressed`, the one whose button was used) say
   * who decided, and the person is told — once: deciding again what is already decided
   * changes nothing and tells nobody.
   */
  async decide(admin: Actor, target: UserId, approve: boolean, pressed?: MessageLocation): Promise<DecisionOutcome> {
    const { core, api, logger } = this.options;
    const wanted = approve ? "active" : "denied";
    let user: UserView;
    try {
      const current = (await core.listUsers(admin)).find((candidate) => candidate.id === target);
      if (current?.status === wanted) return { ok: true, user: current, already: true };
      user = approve ? await core.approveUser(admin, target) : await core.denyUser(admin, target);
    } catch (error) {
      if (!VoxnixError.isInstance(error)) throw error;
      return {
        ok: false,
        message: error.kind === "forbidden" ? "Only admins can approve or deny people." : describeError(error),
      };
    }
    this.greeted.delete(target);
    this.recentlyActive.delete(target);
    const who = `${code(target)}${user.displayName ? ` (${escapeHtml(user.displayName)})` : ""}`;
    const by = escapeHtml(admin.displayName ?? admin.userId);
    const outcome = approve ? `✅ ${who} was approved by ${by}.` : `🚫 ${who} was denied by ${by}.`;
    const messages = [...(this.adminMessages.get(target) ?? [])];
    if (
      pressed &&
      !messages.some((message) => message.chatId === pressed.chatId && message.messageId === pressed.messageId)
    )
      messages.push(pressed);
    for (const message of messages) {
      await editHtml(api, message.chatId, message.messageId, outcome).catch((error: unknown) =>
        logger.warn(errorFields(error), "could not update an admin's request message"),
      );
    }
    this.adminMessages.delete(target);
    const chatId = privateChatIdOf(target);
    if (chatId !== undefined) {
      const text = approve
        ? `${bold("You're in!")} An admin approved you.\n\n${welcomeHtml(user.displayName)}`
        : DENIED_HTML;
      await sendHtml(api, chatId, text).catch((error: unknown) =>
        logger.warn(errorFields(error), "could not tell the person about the decision"),
      );
    }
    return { ok: true, user, already: false };
  }

  /** Sends every admin the request; returns whether at least one admin got it. */
  private async askAdmins(actor: Actor): Promise<boolean> {
    const { api, logger } = this.options;
    const telegramId = privateChatIdOf(actor.userId);
    if (telegramId === undefined) return false;
    const name = actor.displayName ? `${bold(actor.displayName)} ` : "";
    const html = `🙋 ${name}(${code(actor.userId)}) would like to use voxnix.`;
    const keyboard = new InlineKeyboard().text("Approve", `u:a:${telegramId}`).text("Deny", `u:d:${telegramId}`);
    const sent: { chatId: number; messageId: number }[] = [];
    const admins = await this.adminChatIds(actor);
    if (admins.length === 0)
      logger.warn(
        { user: actor.userId },
        "a user is waiting for approval but no Telegram admin is configured (users.admins)",
      );
    for (const chatId of admins) {
      try {
        const message = await sendHtml(api, chatId, html, keyboard);
        if (message) sent.push({ chatId, messageId: message.message_id });
      } catch (error) {
        // An admin who never opened a chat with the bot cannot be messaged; the others still are.
        logger.warn({ ...errorFields(error), admin: chatId }, "could not ask an admin");
      }
    }
    this.adminMessages.set(actor.userId, sent);
    if (admins.length > 0 && sent.length === 0)
      logger.warn(
        { user: actor.userId },
        "a user is waiting for approval but no admin could be messaged; they will be asked again at the user's next message",
      );
    return sent.length > 0;
  }
}
