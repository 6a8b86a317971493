/**
 * The chat pipeline over an `App`, as `voxnix chat`, `voxnix say` and the Telegram service
 * build it: the app's core, conversation memory, configuration, secrets and logger. The agent
 * is loaded on first use, so commands that never chat never load it.
 *
 * @module
 */
import type { ChatPipeline } from "../../agent/pipeline-api.js";
import type { App } from "../../app/app.js";

/** A pipeline over `app`; `dryRun` plans instead of acting (`--dry-run`). */
export async function chatPipelineFor(app: App, options: { readonly dryRun?: boolean } = {}): Promise<ChatPipeline> {
  const { createChatPipeline } = await import("../../agent/pipeline.js");
  return createChatPipeline({
    core: app.core,
    conversations: app.conversations,
    config: app.config,
    secrets: app.secrets,
    logger: app.logger,
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
  });
}
