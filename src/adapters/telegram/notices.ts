/**
 * Notices voxnix sends unprompted, in the person's private chat: an idle warning ("web stops
 * in 10 minutes; reply keep to keep it running") with a button that keeps it, and the note
 * that a workload was stopped for idleness. The core decides what and to whom (a `Notice`);
 * this file only words and delivers it. People of other channels get nothing here.
 *
 * @module
 */
import { InlineKeyboard, type Api, type Bot } from "grammy";
import type { Core } from "../../core/api.js";
import { clockTime, formatDuration } from "../../domain/idle.js";
import { VoxnixError } from "../../domain/errors.js";
import type { Logger } from "../../ports/logger.js";
import type { Notice } from "../../ports/notifier.js";
import { answerPress } from "./buttons.js";
import { actorOf, privateChatIdOf } from "./identity.js";
import { describeError } from "./on-error.js";
import { bold, escapeHtml } from "./render.js";
import { sendHtml } from "./send.js";

/** Callback data of the "Keep it running" button: `k:<workload>`. */
export const KEEP_PATTERN = /^k:([a-z0-9][a-z0-9-]{0,62})$/;

/** Minutes, rounded up, in words: "10 minutes", "1 minute", "less than a minute". */
function minutesText(ms: number): string {
  if (ms < 60_000) return ms <= 0 ? "a moment" : "less than a minute";
  const minutes = Math.ceil(ms / 60_000);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** The HTML of a notice. */
export function noticeHtml(notice: Notice): string {
  const name = bold(escapeHtml(notice.workload));
  if (notice.type === "idle-warning") {
    return `⏰ ${name} stops in ${minutesText(notice.inMs)} (at ${clockTime(notice.stopsAt, notice.timeZone)}) because nobody has used it; reply <b>keep</b> to keep it running.`;
  }
  return `💤 ${name} was stopped after ${formatDuration(notice.idleForMs)} without activity. It starts again when you connect over SSH, or say <b>start ${escapeHtml(notice.workload)}</b>.`;
}

/** Sends `notice` to its person's private chat (nothing for people of other channels). */
export async function deliverNotice(api: Api, notice: Notice): Promise<void> {
  const chatId = privateChatIdOf(notice.user);
  if (chatId === undefined) return;
  const keyboard =
    notice.type === "idle-warning"
      ? new InlineKeyboard().text(`Keep ${notice.workload} running`, `k:${notice.workload}`)
      : undefined;
  await sendHtml(api, chatId, noticeHtml(notice), keyboard);
}

/** The "Keep it running" button: the presser's own `keep`, so "not yours" is "not found". */
export function installKeepButton(bot: Bot, core: Pick<Core, "keep">, logger: Logger): void {
  bot.callbackQuery(KEEP_PATTERN, async (ctx) => {
    const actor = actorOf(ctx.from);
    if (!actor) return void (await answerPress(ctx, logger));
    const name = ctx.match[1]!;
    try {
      const result = await core.keep(actor, name);
      const stopsAt = result.kept[0]?.stopsAt;
      await answerPress(ctx, logger, {
        text: stopsAt ? `${name} keeps running (next stop ${clockTime(stopsAt)} if idle).` : `${name} keeps running.`,
      });
      const message = ctx.callbackQuery.message;
      if (message)
        await ctx.api
          .editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: { inline_keyboard: [] } })
          .catch(() => undefined);
    } catch (error) {
      await answerPress(ctx, logger, {
        text: error instanceof VoxnixError ? describeError(error) : "That did not work.",
        show_alert: true,
      });
    }
  });
}
