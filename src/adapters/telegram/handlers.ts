/**
 * The bot's update handlers: text in a private chat goes through admission, then to the
 * admin commands or the chat pipeline; replies come back as HTML messages, a plan with
 * Confirm / Cancel buttons, or one progress message for a job. Button presses are resolved
 * with the presser's own identity.
 *
 * @module
 */
import type { Api, Bot } from "grammy";
import type { ChatPipeline, ChatReply } from "../../agent/pipeline-api.js";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";
import type { Logger } from "../../ports/logger.js";
import { DECISION_PATTERN, type Admission } from "./admission.js";
import { ADMIN_COMMAND_NAMES, parseCommand, runAdminCommand } from "./commands.js";
import { CONFIRM_PATTERN, type ConfirmationButtons } from "./confirmations.js";
import { PRIVATE_ONLY_HTML, planHtml, welcomeHtml } from "./format.js";
import { actorOf, isPrivateChat, telegramUserId } from "./identity.js";
import { errorFields } from "./on-error.js";
import { trackJob } from "./progress.js";
import { code, escapeHtml } from "./render.js";
import { editHtml, sendHtml } from "./send.js";

export interface HandlerDeps {
  readonly core: Core;
  readonly pipeline: ChatPipeline;
  readonly admission: Admission;
  readonly confirmations: ConfirmationButtons;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly progressIntervalMs: number;
  /** Called with each job tracker so the bot can wait for them when stopping (tests). */
  readonly onTracker: (tracker: Promise<void>) => void;
}

/** Installs every handler on `bot`. */
export function installHandlers(bot: Bot, deps: HandlerDeps): void {
  const { core, pipeline, admission, confirmations } = deps;

  bot.on("message", async (ctx, next) => {
    // Groups: voxnix never acts there (one group id would stand for many people).
    if (isPrivateChat(ctx.chat)) return next();
    const text = ctx.message.text ?? "";
    const forUs = parseCommand(text, ctx.me.username) !== undefined || text.includes(`@${ctx.me.username}`);
    if (forUs) await ctx.reply(PRIVATE_ONLY_HTML, { parse_mode: "HTML" });
  });

  bot.on("message:text", async (ctx) => {
    const actor = actorOf(ctx.from);
    if (!actor) return;
    const chatId = ctx.chat.id;
    if (!(await admission.admit(actor, chatId))) return;
    const text = ctx.message.text;
    const command = parseCommand(text, ctx.me.username);
    // A bare /start is Telegram opening the chat; "/start web" starts a container (pipeline).
    if (command?.name === "start" && command.args === "") {
      await sendHtml(ctx.api, chatId, welcomeHtml(actor.displayName));
      return;
    }
    if (command?.name === "reset") {
      await pipeline.reset(actor);
      await sendHtml(ctx.api, chatId, "Done — I've forgotten our conversation.");
      return;
    }
    if (command && ADMIN_COMMAND_NAMES.has(command.name)) {
      await sendHtml(ctx.api, chatId, await runAdminCommand(command, actor, core, admission));
      return;
    }
    // Telegram shows "typing…" for about five seconds; keep it up while the pipeline works.
    const typing = () => void ctx.replyWithChatAction("typing").catch(() => undefined);
    typing();
    const keepTyping = setInterval(typing, 4500);
    let reply: ChatReply;
    try {
      reply = await pipeline.handle(actor, text);
    } finally {
      clearInterval(keepTyping);
    }
    // A typed "yes" (or "no") answered the plan: its buttons must not stay pressable.
    if (reply.operations.some((operation) => operation.operation === "confirm") || (!reply.confirmation && /^\s*(no|cancel|\/cancel)\s*$/i.test(text))) {
      for (const live of confirmations.takeAll(actor.userId)) {
        await editHtml(ctx.api, live.chatId, live.messageId, `${live.planHtml}\n\n(Answered in the chat.)`).catch(() => undefined);
      }
    }
    await deliver(ctx.api, chatId, actor, reply, deps);
  });

  bot.on("message", async (ctx) => {
    if (actorOf(ctx.from)) await ctx.reply("I only understand text messages.");
  });

  bot.callbackQuery(CONFIRM_PATTERN, async (ctx) => {
    const actor = actorOf(ctx.from);
    const message = ctx.callbackQuery.message;
    if (!actor || !message) return ctx.answerCallbackQuery();
    const [, choice, id] = ctx.match as RegExpMatchArray;
    const resolution = confirmations.resolve(id!, actor.userId);
    const chatId = message.chat.id;
    switch (resolution.outcome) {
      case "not-yours":
        return ctx.answerCallbackQuery({ text: "Only the person who asked can answer this.", show_alert: true });
      case "unknown":
        await ctx.answerCallbackQuery();
        return editHtml(ctx.api, chatId, message.message_id, "This confirmation is no longer valid. Ask again if you still want it.");
      case "expired":
        await ctx.answerCallbackQuery({ text: "This confirmation expired." });
        return editHtml(ctx.api, chatId, message.message_id, `${resolution.planHtml}\n\n⌛ This confirmation expired; nothing was changed. Ask again if you still want it.`);
      case "ok":
        break;
    }
    await ctx.answerCallbackQuery();
    if (choice === "n") {
      const reply = await pipeline.cancel(actor, resolution.token);
      return editHtml(ctx.api, chatId, message.message_id, `${resolution.planHtml}\n\n✖️ ${escapeHtml(reply.text)}`);
    }
    await editHtml(ctx.api, chatId, message.message_id, `${resolution.planHtml}\n\n✔️ Confirmed.`);
    const reply = await pipeline.confirm(actor, resolution.token);
    await deliver(ctx.api, chatId, actor, reply, deps, message.message_id);
  });

  bot.callbackQuery(DECISION_PATTERN, async (ctx) => {
    const actor = actorOf(ctx.from);
    if (!actor) return ctx.answerCallbackQuery();
    const [, choice, telegramId] = ctx.match as RegExpMatchArray;
    const target = telegramUserId(Number(telegramId));
    const outcome = await admission.decide(actor, target, choice === "a");
    if (!outcome.ok) return ctx.answerCallbackQuery({ text: outcome.message, show_alert: true });
    await ctx.answerCallbackQuery({ text: choice === "a" ? "Approved." : "Denied." });
    const message = ctx.callbackQuery.message;
    const verb = choice === "a" ? "✅ Approved" : "🚫 Denied";
    if (message) await editHtml(ctx.api, message.chat.id, message.message_id, `${verb} ${code(target)} (${escapeHtml(outcome.user.status)}).`).catch(() => undefined);
  });

  bot.on("callback_query:data", (ctx) => ctx.answerCallbackQuery({ text: "This button is no longer active." }));
}

/**
 * Shows a pipeline reply: a plan with buttons, a job as one progress message (not awaited:
 * the job outlives this update), or plain text. `messageId` puts it into an existing message.
 */
export async function deliver(api: Api, chatId: number, actor: Actor, reply: ChatReply, deps: HandlerDeps, messageId?: number): Promise<void> {
  const notice = reply.notice ? `ℹ️ <i>${escapeHtml(reply.notice)}</i>\n\n` : "";
  if (reply.confirmation) {
    const plan = planHtml(reply.confirmation, deps.clock.now());
    const { id, keyboard } = deps.confirmations.register(actor.userId, reply.confirmation, plan);
    if (messageId === undefined) {
      const sent = await sendHtml(api, chatId, `${notice}${plan}`, keyboard);
      if (sent) deps.confirmations.attach(id, chatId, sent.message_id);
    } else {
      await editHtml(api, chatId, messageId, `${notice}${plan}`, keyboard);
      deps.confirmations.attach(id, chatId, messageId);
    }
    return;
  }
  if (reply.job) {
    if (notice) await sendHtml(api, chatId, notice);
    const job = reply.job;
    const current = async () => (await deps.core.job(actor, job.id)).progress;
    const tracker = trackJob(job, reply.text, { api, chatId, logger: deps.logger, intervalMs: deps.progressIntervalMs, current, ...(messageId === undefined ? {} : { messageId }) });
    deps.onTracker(tracker.catch((error: unknown) => deps.logger.warn(errorFields(error), "job tracker failed")));
    return;
  }
  const html = `${notice}${escapeHtml(reply.text)}`;
  if (messageId === undefined) await sendHtml(api, chatId, html);
  else await editHtml(api, chatId, messageId, html);
}
