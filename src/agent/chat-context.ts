/**
 * What an engine (offline or LLM) gets for one message: the core, who is asking, the
 * conversation so far, and the turn that records what it does.
 *
 * @module
 */
import type { Core, WorkloadView } from "../core/api.js";
import type { Actor } from "../domain/identity.js";
import type { SshAccess } from "../domain/ssh-access.js";
import type { Clock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { ConversationState, OpenQuestion } from "./memory/state.js";
import type { Turn } from "./turn.js";

/** Per-message context shared by both engines. */
export interface ChatContext {
  readonly core: Core;
  /** From the transport; never from message text or model output. */
  readonly actor: Actor;
  readonly turn: Turn;
  readonly state: ConversationState;
  /** The person's message this turn answers (absent for a button press). */
  readonly message?: string;
  /** Create requests run `planCreate` instead of creating. */
  readonly dryRun: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the SSH gateway is published, when it is enabled (`ssh.enabled`): login answers give the real command. */
  readonly sshAccess?: SshAccess;
  /** The dashboard's address, when it is served or published: login answers point to its browser terminal. */
  readonly dashboardUrl?: string;
  /** The actor's own workloads (fetched once per message; empty when the core refuses). */
  ownWorkloads(): Promise<readonly WorkloadView[]>;
  /** Names of `ownWorkloads()`. */
  ownNames(): Promise<readonly string[]>;
}

/** What an engine answers. A question, when set, is remembered for the next message. */
export interface EngineOutcome {
  readonly text: string;
  readonly question?: OpenQuestion;
}
