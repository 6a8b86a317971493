/**
 * Showing a pipeline reply in a chat: a plan with Confirm / Cancel buttons, a job as one
 * progress message, or plain text — as a new message or in place of an existing one.
 *
 * @module
 */
import type { SshAccess } from "../../domain/ssh-access.js";
import type { Api } from "grammy";
import type { ChatPipeline, ChatReply } from "../../agent/pipeline-api.js";
import type { Core } from "../../core/api.js";
import type { Actor } from "../../domain/identity.js";
import type { Clock } from "../../ports/clock.js";
import type { Logger } from "../../ports/logger.js";
import type { Admission } from "./admission.js";
import type { ConfirmationButtons } from "./confirmations.js";
import { planHtml } from "./format.js";
import { errorFields } from "./on-error.js";
import { trackJob } from "./progress.js";
import { escapeHtml } from "./render.js";
import { editHtml, sendHtml } from "./send.js";

/** What the update handlers need. */
export interface HandlerDeps {
  readonly core: Core;
  readonly pipeline: ChatPipeline;
  readonly admission: Admission;
  readonly confirmations: ConfirmationButtons;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly progressIntervalMs: number;
  /** The URL of a dashboard login link for `token`; absent when this process serves no dashboard. */
  readonly dashboardLink?: ((token: string) => string) | undefined;
  /** Where the SSH gateway is published, when enabled (answers to /sshkey show the ssh command). */
  readonly sshAccess?: SshAccess;
  /** Called with each job tracker so the bot can wait for them when stopping (tests). */
  readonly onTracker: (tracker: Promise<void>) => void;
}

/**
 * Shows a pipeline reply: a plan with buttons, a job as one progress message (not awaited:
 * the job outlives this update), or plain text. `messageId` puts it into an existing message.
 */
export async function deliver(
  api: Api,
  chatId: number,
  actor: Actor,
  reply: ChatReply,
  deps: HandlerDeps,
  messageId?: number,
): Promise<void> {
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
    const access = { ssh: deps.sshAccess, dashboard: deps.dashboardLink !== undefined };
    const tracker = trackJob(job, reply.text, {
      api,
      chatId,
      logger: deps.logger,
      intervalMs: deps.progressIntervalMs,
      current,
      access,
      ...(messageId === undefined ? {} : { messageId }),
    });
    deps.onTracker(tracker.catch((error: unknown) => deps.logger.warn(errorFields(error), "job tracker failed")));
    return;
  }
  const html = `${notice}${escapeHtml(reply.text)}`;
  if (messageId === undefined) await sendHtml(api, chatId, html);
  else await editHtml(api, chatId, messageId, html);
}
