/**
 * The one place Telegram-side failures become words. Core and pipeline errors are data
 * (`VoxnixError.kind`); anything else is our bug or Telegram's, and the person gets a short
 * apology while the details go to the log. Never a stack trace, never stderr.
 *
 * @module
 */
import type { Bot, BotError, Context } from "grammy";
import { VoxnixError } from "../../domain/errors.js";
import { explainVoxnixError } from "../../api/error-wording.js";
import type { Logger } from "../../ports/logger.js";

/** What a person sees when something unexpected broke. */
export const GENERIC_FAILURE =
  "Something went wrong on my side. Please try again in a moment; if it keeps happening, tell the admin.";

/**
 * Plain-text words for any error, written for the person who asked: the same words as the
 * chat's replies (`api/error-wording.ts`), and a Telegram-side apology for anything else.
 */
export function describeError(error: unknown): string {
  return VoxnixError.isInstance(error) ? explainVoxnixError(error) : GENERIC_FAILURE;
}

/** The Bot API's answer carried by a grammY `GrammyError`, or undefined for anything else. */
export interface TelegramRefusal {
  readonly method: string;
  readonly code: number;
  readonly description: string;
  readonly retryAfter?: number;
}

/**
 * Reads a Bot API error answer off a thrown error by its shape, not with `instanceof`: the
 * bundled CLI may hold more than one copy of grammY's classes (a dynamic `import("grammy")` of
 * the CommonJS package has only a default export there), and an `instanceof` against another
 * copy, or against undefined, fails.
 */
export function telegramRefusal(error: unknown): TelegramRefusal | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as {
    name?: unknown;
    error_code?: unknown;
    description?: unknown;
    method?: unknown;
    parameters?: { retry_after?: unknown };
  };
  if (candidate.name !== "GrammyError" || typeof candidate.error_code !== "number") return undefined;
  const retryAfter = candidate.parameters?.retry_after;
  return {
    method: typeof candidate.method === "string" ? candidate.method : "",
    code: candidate.error_code,
    description: typeof candidate.description === "string" ? candidate.description : "",
    ...(typeof retryAfter === "number" ? { retryAfter } : {}),
  };
}

/** True when Telegram refused the bot token: 401 for a wrong or revoked one, 404 for a malformed one. */
export function isTokenRefused(error: unknown): boolean {
  const refusal = telegramRefusal(error);
  return refusal !== undefined && (refusal.code === 401 || refusal.code === 404);
}

/** Log fields for an error, without secrets (the token is never in a GrammyError). */
export function errorFields(error: unknown): Record<string, unknown> {
  const refusal = telegramRefusal(error);
  if (refusal) return { method: refusal.method, code: refusal.code, description: refusal.description };
  if (error instanceof Error && error.name === "HttpError")
    return { http: String((error as Error & { error?: unknown }).error) };
  if (VoxnixError.isInstance(error))
    return {
      kind: error.kind,
      message: error.message,
      ...("detail" in error && error.detail ? { detail: error.detail } : {}),
    };
  if (error instanceof Error) return { error: error.message, stack: error.stack };
  return { error: String(error) };
}

/**
 * Installs `bot.catch`: logs the failure and, when the update came from a person, answers
 * them once with plain words (and stops a pressed button's spinner).
 */
export function installErrorHandler(bot: Bot, logger: Logger): void {
  bot.catch(async (botError: BotError<Context>) => {
    const { ctx, error } = botError;
    logger.error({ ...errorFields(error), updateId: ctx.update.update_id }, "telegram update failed");
    // Auto-retry gave up on a flood wait: an apology now would only meet the same 429.
    if (telegramRefusal(error)?.code === 429) return;
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: describeError(error), show_alert: true });
      else if (ctx.chat) await ctx.reply(describeError(error));
    } catch (replyError) {
      logger.warn(errorFields(replyError), "could not tell the user about a failure");
    }
  });
}
