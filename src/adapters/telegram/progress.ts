/**
 * One progress message per long operation, edited in place as the job advances and ending
 * with the result. Edits are throttled per message (Telegram allows roughly one edit a
 * second per chat; we stay at one every `intervalMs`), unchanged text is never re-sent, and
 * the job keeps running whatever happens to the message: a failed edit is logged, not fatal.
 *
 * @module
 */
import type { Api } from "grammy";
import type { AnyJobHandle, JobEvent } from "../../core/api.js";
import { settleJob } from "../../api/job-result.js";
import type { Logger } from "../../ports/logger.js";
import { describeError, errorFields } from "./on-error.js";
import { resultHtml, type ResultAccess } from "./format.js";
import { editHtml, sendHtml } from "./send.js";
import { escapeHtml } from "./render.js";

/** Default minimum time between two edits of one progress message. */
export const PROGRESS_INTERVAL_MS = 1500;

export interface ProgressOptions {
  readonly api: Api;
  readonly chatId: number;
  readonly logger: Logger;
  /** Minimum milliseconds between edits of this message. */
  readonly intervalMs: number;
  /** Edit this existing message instead of sending a new one (e.g. the confirmation message). */
  readonly messageId?: number;
  /**
   * The job's latest progress as the core recorded it. Events are not replayed, so a step
   * emitted before we subscribed would otherwise be missing from the first render.
   */
  readonly current?: () => Promise<string | undefined>;
  /** How to get into a created or restored workload (the final message says it). */
  readonly access?: ResultAccess;
}

/**
 * Shows `job` in one message headed by `headline` (plain text) and resolves when the final
 * result is on screen. Never rejects.
 */
export async function trackJob(job: AnyJobHandle, headline: string, options: ProgressOptions): Promise<void> {
  const { api, chatId, logger, intervalMs } = options;
  const header = escapeHtml(headline);
  let step = "";
  let shown = "";
  let lastEditAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let finished = false;
  let messageId = options.messageId;

  const unsubscribe = job.onEvent((event: JobEvent) => {
    if (event.type === "step") {
      step = event.message;
      schedule();
    }
  });

  if (options.current) {
    const recorded = await options.current().catch(() => undefined);
    if (recorded && !step) step = recorded;
  }
  const render = () => (step ? `${header}\n⏳ ${escapeHtml(step)}` : `${header}\n⏳ working…`);
  try {
    if (messageId === undefined) {
      shown = render();
      messageId = (await sendHtml(api, chatId, shown))?.message_id;
      lastEditAt = Date.now();
      // Steps that arrived while the first message was on its way.
      if (render() !== shown) schedule();
    } else {
      await edit(render());
    }
  } catch (error) {
    logger.warn(errorFields(error), "could not show job progress");
  }

  let final: string;
  try {
    final = `${header}\n${resultHtml(await settleJob(job), options.access)}`;
  } catch (error) {
    final = `${header}\n❌ ${escapeHtml(describeError(error))}`;
  }
  finished = true;
  unsubscribe();
  if (timer) clearTimeout(timer);
  await inFlight;
  // The final edit respects the same per-message pace as progress edits.
  const pause = lastEditAt + intervalMs - Date.now();
  if (messageId !== undefined && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  try {
    if (messageId === undefined) await sendHtml(api, chatId, final);
    else await edit(final);
  } catch (error) {
    logger.warn(errorFields(error), "could not show the job's result");
  }

  function schedule(): void {
    if (finished || timer || messageId === undefined) return;
    const wait = Math.max(0, lastEditAt + intervalMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      if (finished) return;
      inFlight = inFlight
        .then(() => edit(render()))
        .catch((error: unknown) => logger.warn(errorFields(error), "progress edit failed"));
    }, wait);
  }

  async function edit(html: string): Promise<void> {
    if (html === shown || messageId === undefined) return;
    shown = html;
    lastEditAt = Date.now();
    await editHtml(api, chatId, messageId, html);
  }
}
