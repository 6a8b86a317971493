/**
 * The settings the chat pipeline reads, declared here so the agent never imports the app's
 * configuration schema; the app's `Config` satisfies them structurally.
 *
 * @module
 */

/** `llm.*`: which model answers, if any. */
export interface LlmSettings {
  readonly provider: "none" | "anthropic" | "openai" | "openai-compatible";
  readonly model?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly apiKeyFile?: string | undefined;
  readonly timeoutSeconds: number;
  readonly maxSteps: number;
}

/** What the pipeline reads from the configuration. */
export interface ChatSettings {
  readonly llm: LlmSettings;
  readonly conversations: { readonly idleMinutes: number; readonly maxMessages: number };
  /** The SSH gateway, for "how do I connect" answers. */
  readonly ssh?: {
    readonly enabled: boolean;
    readonly listen: string;
    readonly publicHost?: string | undefined;
    readonly publicPort?: number | undefined;
  };
  /** Where the dashboard is (`http.publicUrl`, else `http.listen`), for the same answers. */
  readonly http?: {
    readonly listen: string;
    readonly publicUrl?: string | undefined;
    readonly tls?: { readonly certFile?: string | undefined; readonly keyFile?: string | undefined } | undefined;
  };
  /** Whether `voxnix serve` serves the dashboard (`serve.http`). */
  readonly serve?: { readonly http: boolean };
}

/** Secrets the pipeline reads (only the model's API key). */
export interface ChatSecrets {
  readonly llmApiKey?: string | undefined;
}
