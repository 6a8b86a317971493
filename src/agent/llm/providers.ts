/**
 * Builds the language model the configuration asks for: Anthropic, OpenAI (Chat Completions,
 * not the Responses API) or any OpenAI-compatible server (Ollama, llama.cpp, vLLM,
 * OpenRouter). `provider: none` means no model, and the offline engine answers everything.
 *
 * @module
 */
import type { LanguageModel } from "ai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LlmSettings } from "../settings.js";

/** Default model ids when the configuration names none. */
export const DEFAULT_MODELS = {
  anthropic: "claude-haiku-4-5",
  openai: "gpt-4.1-mini",
  "openai-compatible": "llama3.1",
} as const;

/** Where an OpenAI-compatible server is assumed to listen when no `baseUrl` is set (Ollama's default). */
export const DEFAULT_COMPATIBLE_BASE_URL = "http://127.0.0.1:11434/v1";

/** Returns the configured model, or undefined for `provider: none`. */
export function createLanguageModel(llm: LlmSettings, apiKey: string | undefined): LanguageModel | undefined {
  const baseURL = llm.baseUrl;
  switch (llm.provider) {
    case "none":
      return undefined;
    case "anthropic":
      return createAnthropic({ ...(apiKey ? { apiKey } : {}), ...(baseURL ? { baseURL } : {}) })(
        llm.model ?? DEFAULT_MODELS.anthropic,
      );
    case "openai":
      return createOpenAI({ ...(apiKey ? { apiKey } : {}), ...(baseURL ? { baseURL } : {}) }).chat(
        llm.model ?? DEFAULT_MODELS.openai,
      );
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: baseURL ?? DEFAULT_COMPATIBLE_BASE_URL,
        ...(apiKey ? { apiKey } : {}),
        includeUsage: true,
      }).chatModel(llm.model ?? DEFAULT_MODELS["openai-compatible"]);
  }
}
