/**
 * The assembled application: what the composition root (`create-app.ts`) builds from the
 * configuration and hands to adapters (CLI, Telegram, chat).
 *
 * @module
 */
import type { Core } from "../core/api.js";
import type { ModuleCatalog } from "../domain/catalog.js";
import type { RuntimeRegistry } from "../ports/runtime-registry.js";
import type { CommandRunner } from "../ports/command-runner.js";
import type { Logger } from "../ports/logger.js";
import type { StorageDriver } from "../ports/storage-driver.js";
import type { VoxnixDatabase } from "../state/database.js";
import type { Config, Secrets } from "./config-schema.js";
import type { ConversationsRepository } from "../state/conversations-repository.js";
import type { NoticeBoard } from "../ports/notifier.js";

export interface App {
  readonly config: Config;
  readonly secrets: Secrets;
  /** Absolute state directory (database, generated files, images). */
  readonly stateDir: string;
  readonly core: Core;
  readonly catalog: ModuleCatalog;
  /** Every configured runtime (the container runtime named by `backend`, and VM runtimes when configured). */
  readonly runtimes: RuntimeRegistry;
  readonly storage: StorageDriver;
  readonly runner: CommandRunner;
  readonly db: VoxnixDatabase;
  /** Conversation memory rows for the chat pipeline. */
  readonly conversations: ConversationsRepository;
  /** Notices for people (idle warnings and stops); a chat adapter subscribes to deliver them. */
  readonly notices: NoticeBoard;
  readonly logger: Logger;
  /** Ends every open live list stream (the dashboard's `/api/v1/events`): a server is stopping. */
  endLiveStreams(): void;
  /** Ends live streams, lets running jobs settle (bounded), flushes telemetry and closes the database. */
  close(): Promise<void>;
}
