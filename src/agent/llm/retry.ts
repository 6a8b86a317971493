/**
 * Retries with exponential backoff around each model call (not around the whole tool loop,
 * so a retried call never re-runs a tool). Only errors the provider marks retryable (429,
 * 5xx, connection failures) are retried.
 *
 * @module
 */
import { APICallError, wrapLanguageModel, type LanguageModel } from "ai";

// The provider-spec model type, taken from `ai` itself rather than its internal `@ai-sdk/provider`.
type SpecModel = Parameters<typeof wrapLanguageModel>[0]["model"];

/** Retry settings. */
export interface RetryOptions {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Delay before the first retry; doubles each time. */
  readonly initialDelayMs: number;
}

/** True for provider errors worth another attempt. */
export function isRetryable(error: unknown): boolean {
  if (APICallError.isInstance(error)) return error.isRetryable;
  return error instanceof TypeError && /fetch failed|network|ECONNRE/i.test(error.message);
}

/** Wraps `model` so each generate call is retried on retryable errors. */
export function withRetries(model: LanguageModel, options: RetryOptions): LanguageModel {
  if (typeof model === "string" || options.retries <= 0) return model;
  return wrapLanguageModel({
    model: model as SpecModel,
    middleware: {
      specificationVersion: "v3",
      wrapGenerate: async ({ doGenerate, params }) => {
        for (let attempt = 0; ; attempt += 1) {
          try {
            return await doGenerate();
          } catch (error) {
            if (attempt >= options.retries || !isRetryable(error) || params.abortSignal?.aborted) throw error;
            await sleep(options.initialDelayMs * 2 ** attempt, params.abortSignal);
          }
        }
      },
    },
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
