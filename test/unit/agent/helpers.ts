/**
 * Shared set-up for agent tests: a real core over fakes (`createTestCore`) and a pipeline on
 * the same database.
 *
 * @module
 */
import type { LanguageModel } from "ai";
import { configSchema, type Config } from "../../../src/app/config-schema.js";
import { createChatPipeline } from "../../../src/agent/pipeline.js";
import type { ChatPipeline } from "../../../src/agent/pipeline-api.js";
import { createTestCore, actor, TEST_USERS, type TestCore, type TestCoreOptions } from "../../fakes/core-harness.js";
import { silentLogger } from "../../../src/ports/logger.js";
import { createConversationsRepository } from "../../../src/state/conversations-repository.js";

export { actor, TEST_USERS };

/** A config with defaults and optional overrides. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return configSchema.parse(overrides);
}

/** A core plus a pipeline over it. */
export interface AgentHarness extends TestCore {
  readonly pipeline: ChatPipeline;
  readonly config: Config;
  /** A new pipeline over the same database and core (a restart of the chat layer). */
  recreate(options?: { model?: LanguageModel; dryRun?: boolean }): ChatPipeline;
}

/** Builds the harness. */
export function createAgentHarness(
  options: {
    model?: LanguageModel;
    config?: Record<string, unknown>;
    dryRun?: boolean;
    core?: TestCoreOptions;
    retries?: number;
    llmApiKey?: string;
  } = {},
): AgentHarness {
  const test = createTestCore(options.core);
  const config = testConfig(options.config);
  const build = (model: LanguageModel | undefined, dryRun: boolean | undefined) =>
    createChatPipeline({
      core: test.core,
      conversations: createConversationsRepository(test.db),
      config,
      secrets: options.llmApiKey === undefined ? {} : { llmApiKey: options.llmApiKey },
      logger: silentLogger,
      clock: test.clock,
      retries: options.retries ?? 0,
      retryDelayMs: 1,
      ...(model ? { model } : {}),
      ...(dryRun ? { dryRun } : {}),
    });
  return {
    ...test,
    config,
    pipeline: build(options.model, options.dryRun),
    recreate: (recreateOptions = {}) =>
      build(recreateOptions.model ?? options.model, recreateOptions.dryRun ?? options.dryRun),
  };
}

/** Waits for a reply's job, if any, and returns its outcome. */
export async function settle(reply: { job?: { wait(): Promise<unknown> } }): Promise<unknown> {
  return reply.job ? reply.job.wait() : undefined;
}
