/**
 * The bot's update handlers: text in a private chat goes through admission, then to the
 * admin commands or the chat pipeline; replies come back through `delivery.ts`. Button
 * presses are handled in `buttons.ts`.
 *
 * @module
 */
import type { Bot } from "grammy";
import type { ChatReply } from "../../agent/pipeline-api.js";
import { isDashboardRequest } from "../../agent/intents/dashboard.js";
import { ADMIN_COMMAND_NAMES, dashboardLinkHtml, parseCommand, runAdminCommand } from "./commands.js";
import { installButtons } from "./buttons.js";
import { installKeepButton } from "./notices.js";
import { runSshKeyCommand, SSH_KEY_COMMAND } from "./ssh-keys.js";
import { deliver, type HandlerDeps } from "./delivery.js";
import { EDITED_MESSAGE_HTML, NOT_TEXT_HTML, PRIVATE_ONLY_HTML, welcomeHtml } from "./format.js";
import { actorOf, isPrivateChat } from "./identity.js";
import { editHtml, sendHtml } from "./send.js";

export type { HandlerDeps } from "./delivery.js";

/** Installs every handler on `bot`. */
export function installHandlers(bot: Bot, deps: HandlerDeps): void {
  const { core, pipeline, admission, confirmations } = deps;

  bot.on("message", async (ctx, next) => {
    // Groups: voxnix never acts there (one group id would stand for many people).
    if (isPrivateChat(ctx.chat)) return next();
    const text = ctx.message.text ?? "";
    // Usernames are case-insensitive: "@VoxnixBot" and "@voxnixbot" are the same bot.
    const forUs =
      parseCommand(text, ctx.me.username) !== undefined ||
      text.toLowerCase().includes(`@${ctx.me.username.toLowerCase()}`);
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
    if (command?.name === "web" || (!command && isDashboardRequest(text))) {
      await sendHtml(ctx.api, chatId, await dashboardLinkHtml(actor, deps));
      return;
    }
    if (command?.name === SSH_KEY_COMMAND.command) {
      await sendHtml(ctx.api, chatId, await runSshKeyCommand(command.args, actor, core, deps.sshAccess));
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
    if (
      reply.operations.some((operation) => operation.operation === "confirm") ||
      (!reply.confirmation && /^\s*(no|cancel|\/cancel)\s*$/i.test(text))
    ) {
      for (const live of confirmations.takeAll(actor.userId)) {
        await editHtml(ctx.api, live.chatId, live.messageId, `${live.planHtml}\n\n(Answered in the chat.)`).catch(
          () => undefined,
        );
      }
    }
    await deliver(ctx.api, chatId, actor, reply, deps);
  });

  bot.on("message", async (ctx) => {
    const actor = actorOf(ctx.from);
    // Pending and denied people hear their status, whatever they sent.
    if (actor && (await admission.admit(actor, ctx.chat.id))) await sendHtml(ctx.api, ctx.chat.id, NOT_TEXT_HTML);
  });

  // Telegram delivers edits of earlier messages too; acting on them could repeat or change an action.
  bot.on("edited_message", async (ctx) => {
    if (!isPrivateChat(ctx.chat) || !actorOf(ctx.from)) return;
    await sendHtml(ctx.api, ctx.chat.id, EDITED_MESSAGE_HTML);
  });

  installKeepButton(bot, core, deps.logger);
  installButtons(bot, deps);
}
