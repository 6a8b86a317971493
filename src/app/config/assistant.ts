/**
 * Configuration sections of the chat assistant: the language model and how long conversations last.
 *
 * @module
 */
import { z } from "zod";
import { seconds } from "../../domain/config-fields.js";

export const llmSchema = z
  .object({
    provider: z.enum(["none", "anthropic", "openai", "openai-compatible"]).default("none"),
    model: z.string().optional(),
    baseUrl: z.string().url().optional(),
    apiKeyFile: z.string().optional(),
    timeoutSeconds: seconds(60),
    maxSteps: z.number().int().positive().default(5),
  })
  .strict()
  .prefault({});

export const conversationsSchema = z
  .object({ idleMinutes: z.number().positive().default(30), maxMessages: z.number().int().positive().default(40) })
  .strict()
  .prefault({});
