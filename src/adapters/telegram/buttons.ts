/**
 * Button presses: Confirm / Cancel under a plan, Approve / Deny under an admission request,
 * and anything else. Each press is resolved with the presser's own identity.
 *
 * Answering a press (`answerCallbackQuery`, the toast or the end of the spinner) is best
 * effort: Telegram refuses answers after about 15 seconds ("query is too old"), which happens
 * when a chat has a backlog. The action never depends on it. A result already shown stays: a
 * second or late press of an answered plan only gets a toast, and buttons that can no longer
 * do anything are removed from their message instead of replacing its text.
 *
 * @module
 */
import type { Bot, Context } from "grammy";
import type { Logger } from "../../ports/logger.js";
import { DECISION_PATTERN } from "./admission.js";
import { CONFIRM_PATTERN } from "./confirmations.js";
import type { HandlerDeps } from "./handlers.js";
import { deliver } from "./delivery.js";
import { actorOf, telegramUserId } from "./identity.js";
import { errorFields } from "./on-error.js";
import { escapeHtml } from "./render.js";
import { editHtml, sendHtml } from "./send.js";

/** What a press of a button that no longer does anything says. */
export const STALE_BUTTON =
  "This button no longer does anything (voxnix was restarted, or it was answered already). Ask again if you still want it.";

/** Answers a press; a refusal (too old, already answered) is logged and otherwise ignored. Returns whether it was shown. */
export async function answerPress(
  ctx: Context,
  logger: Logger,
  options: { text?: string; show_alert?: boolean } = {},
): Promise<boolean> {
  try {
    await ctx.answerCallbackQuery(options);
    return true;
  } catch (error) {
    logger.debug(errorFields(error), "could not answer a button press");
    return false;
  }
}

/** Takes the buttons off the pressed message, leaving its text as it is. */
async function removeButtons(ctx: Context, logger: Logger): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message || !("reply_markup" in message) || !message.reply_markup) return;
  await ctx.api
    .editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: { inline_keyboard: [] } })
    .catch((error: unknown) => logger.debug(errorFields(error), "could not remove stale buttons"));
}

/** Tells the presser a stale button does nothing: as an alert, or in the chat when the alert came too late. */
async function staleButton(ctx: Context, logger: Logger): Promise<void> {
  await removeButtons(ctx, logger);
  const shown = await answerPress(ctx, logger, { text: STALE_BUTTON, show_alert: true });
  const chatId = ctx.callbackQuery?.message?.chat.id;
  if (!shown && chatId !== undefined) await sendHtml(ctx.api, chatId, escapeHtml(STALE_BUTTON));
}

/** Installs the button handlers on `bot`. */
export function installButtons(bot: Bot, deps: HandlerDeps): void {
  const { pipeline, admission, confirmations, logger } = deps;

  bot.callbackQuery(CONFIRM_PATTERN, async (ctx) => {
    const actor = actorOf(ctx.from);
    const message = ctx.callbackQuery.message;
    if (!actor || !message) return void (await answerPress(ctx, logger));
    const [, choice, id] = ctx.match as RegExpMatchArray;
    const resolution = confirmations.resolve(id!, actor.userId);
    const chatId = message.chat.id;
    switch (resolution.outcome) {
      case "not-yours":
        return void (await answerPress(ctx, logger, {
          text: "Only the person who asked can answer this.",
          show_alert: true,
        }));
      case "answered":
        // The message already shows the outcome (and perhaps an undo hint): leave it alone.
        return void (await answerPress(ctx, logger, { text: "This was answered already." }));
      case "unknown":
        return staleButton(ctx, logger);
      case "expired":
        await answerPress(ctx, logger, { text: "This confirmation expired." });
        return editHtml(
          ctx.api,
          chatId,
          message.message_id,
          `${resolution.planHtml}\n\n⌛ This confirmation expired; nothing was changed. Ask again if you still want it.`,
        );
      case "ok":
        break;
    }
    // Not awaited: the action must not wait for, or depend on, the answer.
    void answerPress(ctx, logger);
    if (choice === "n") {
      const reply = await pipeline.cancel(actor, resolution.token);
      return editHtml(ctx.api, chatId, message.message_id, `${resolution.planHtml}\n\n✖️ ${escapeHtml(reply.text)}`);
    }
    await editHtml(ctx.api, chatId, message.message_id, `${resolution.planHtml}\n\n✔️ Confirmed.`).catch(
      (error: unknown) => logger.warn(errorFields(error), "could not show the confirmation"),
    );
    const reply = await pipeline.confirm(actor, resolution.token);
    await deliver(ctx.api, chatId, actor, reply, deps, message.message_id);
  });

  bot.callbackQuery(DECISION_PATTERN, async (ctx) => {
    const actor = actorOf(ctx.from);
    if (!actor) return void (await answerPress(ctx, logger));
    const [, choice, telegramId] = ctx.match as RegExpMatchArray;
    const message = ctx.callbackQuery.message;
    const pressed = message ? { chatId: message.chat.id, messageId: message.message_id } : undefined;
    const outcome = await admission.decide(actor, telegramUserId(Number(telegramId)), choice === "a", pressed);
    if (!outcome.ok) return void (await answerPress(ctx, logger, { text: outcome.message, show_alert: true }));
    const done = choice === "a" ? "Approved." : "Denied.";
    await answerPress(ctx, logger, { text: outcome.already ? `Already ${done.toLowerCase()}` : done });
  });

  // A button of a kind this bot does not have (an old version's, or a restart's leftovers).
  bot.on("callback_query:data", (ctx) => staleButton(ctx, logger));
}
