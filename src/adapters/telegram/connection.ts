/**
 * How the bot copes with the Bot API being unreachable or busy. Two API transformers, both
 * installed closest to the network so they see every single attempt:
 *
 * - `watchConnection` logs one line when the Bot API stops answering (a network error, a
 *   timeout or a 5xx) and one when it answers again, so an operator sees an outage — including
 *   one at start-up, while `getMe` is being retried — without a line per retry.
 * - `waitOutConflicts` turns `getUpdates`' 409 Conflict (another process polls with the same
 *   token, for example during a redeploy) into a logged wait and a retry with growing pauses,
 *   at the same offset, so no update is lost or handled twice. The runner would otherwise stop.
 *
 * @module
 */
import type { Transformer } from "grammy";
import type { Logger } from "../../ports/logger.js";

/** Connection state changes, for the log and for tests. */
export interface ConnectionWatch {
  /** False from the first failed attempt until one succeeds again. */
  readonly reachable: boolean;
  readonly transformer: Transformer;
}

/** True for an answer that says the Bot API itself is in trouble (not our request). */
function isServerTrouble(response: { ok: boolean; error_code?: number }): boolean {
  return !response.ok && (response.error_code ?? 0) >= 500;
}

/** Logs lost and regained connections to the Bot API, once per change. */
export function watchConnection(logger: Logger): ConnectionWatch {
  let reachable = true;
  const lost = (method: string, reason: string) => {
    if (!reachable) return;
    reachable = false;
    logger.warn({ method, reason }, "lost the connection to the Telegram Bot API; retrying until it answers");
  };
  const transformer: Transformer = async (previous, method, payload, signal) => {
    let response;
    try {
      response = await previous(method, payload, signal);
    } catch (error) {
      if (!signal?.aborted) lost(method, error instanceof Error ? error.message : String(error));
      throw error;
    }
    if (!response.ok && isServerTrouble(response)) lost(method, `${response.error_code} ${response.description}`);
    else if (!reachable) {
      reachable = true;
      logger.info({ method }, "the Telegram Bot API answers again");
    }
    return response;
  };
  return {
    get reachable() {
      return reachable;
    },
    transformer,
  };
}

/** First pause between `getUpdates` attempts while another poller holds the token. */
export const CONFLICT_FIRST_PAUSE_MS = 1000;
/** Longest pause: a conflict that ends (the other poller stopped) costs at most this long. */
export const CONFLICT_MAX_PAUSE_MS = 15_000;

/** Retries `getUpdates` on 409 Conflict with growing pauses, logging when it starts and ends. */
export function waitOutConflicts(
  logger: Logger,
  options: { readonly firstPauseMs?: number; readonly maxPauseMs?: number } = {},
): Transformer {
  const firstPause = options.firstPauseMs ?? CONFLICT_FIRST_PAUSE_MS;
  const maxPause = options.maxPauseMs ?? CONFLICT_MAX_PAUSE_MS;
  return async function conflictRetry(previous, method, payload, signal) {
    if (method !== "getUpdates") return previous(method, payload, signal);
    let pause = firstPause;
    let conflicted = false;
    for (;;) {
      const response = await previous(method, payload, signal);
      if (response.ok || response.error_code !== 409 || signal?.aborted) {
        if (conflicted && response.ok)
          logger.info({}, "no other process polls with this bot token any more; receiving updates again");
        return response;
      }
      if (!conflicted) {
        logger.warn(
          { description: response.description },
          "another process is receiving updates with this bot token (409 Conflict: a second voxnix telegram, or a webhook); retrying with growing pauses",
        );
        conflicted = true;
      }
      await sleep(pause, signal);
      pause = Math.min(pause * 2, maxPause);
    }
  };
}

/** The abort signal grammY hands to transformers (typed by its polyfill, used only for these two calls). */
interface AbortSignalLike {
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

function sleep(ms: number, signal: AbortSignalLike | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
