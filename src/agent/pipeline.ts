/**
 * The chat pipeline every conversational channel shares. One message at a time per user (a
 * per-user queue), different users in parallel; the LLM agent answers when a model is
 * configured and reachable, the offline intent engine otherwise; memory is kept per user in
 * SQLite. Identity comes only from `actor`.
 *
 * @module
 */
import { accessPointsFrom, sshAccessFrom } from "../domain/ssh-access.js";
import type { LanguageModel, ModelMessage } from "ai";
import type { Core, WorkloadView } from "../core/api.js";
import type { Actor } from "../domain/identity.js";
import type { ChatSecrets, ChatSettings } from "./settings.js";
import type { Logger } from "../ports/logger.js";
import { systemClock, type Clock } from "../ports/clock.js";
import type { ChatPipeline, ChatReply } from "./pipeline-api.js";
import type { ChatContext, EngineOutcome } from "./chat-context.js";
import { ConversationStore, type ConversationRows } from "./memory/conversation-store.js";
import { EMPTY_CONVERSATION, type ConversationState } from "./memory/state.js";
import { UserQueue } from "./user-queue.js";
import { Turn } from "./turn.js";
import { runOffline } from "./intents/engine.js";
import { runLlm } from "./llm/agent.js";
import { createLanguageModel } from "./llm/providers.js";
import { withRetries } from "./llm/retry.js";
import { mustRunOffline } from "./routing.js";
import { cancelPending, confirmPending } from "./confirmations.js";
import { explainError } from "../api/error-wording.js";
import { summariseTurn } from "./summary.js";
import { oversizeReply } from "./input-limit.js";

/** What the pipeline is built from. */
export interface ChatPipelineDeps {
  readonly core: Core;
  /** Where conversation memory is kept (`state/conversations-repository.ts`). */
  readonly conversations: ConversationRows;
  readonly config: ChatSettings;
  readonly secrets: ChatSecrets;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** A model to use instead of the configured provider (tests, benchmarks). */
  readonly model?: LanguageModel;
  /** Create requests only plan (`voxnix say --dry-run`). */
  readonly dryRun?: boolean;
  /** Delay before the first retry of a failed model call (default 1,000 ms; tests use less). */
  readonly retryDelayMs?: number;
  /** Retries per model call (default 2). */
  readonly retries?: number;
}

/** Said when the model could not answer and the offline engine did. */
export const FALLBACK_NOTICE = "The language model could not be reached, so the offline assistant answered.";

/** After the model fails, messages go straight to the offline engine for this long (no retry delays per message). */
export const MODEL_COOL_DOWN_MS = 30_000;

/** Builds the pipeline. */
export function createChatPipeline(deps: ChatPipelineDeps): ChatPipeline {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: "chat" });
  const store = new ConversationStore(deps.conversations, {
    idleMinutes: deps.config.conversations.idleMinutes,
    maxMessages: deps.config.conversations.maxMessages,
    clock,
  });
  const queue = new UserQueue();
  const configured = deps.model ?? createLanguageModel(deps.config.llm, deps.secrets.llmApiKey);
  const model =
    configured === undefined
      ? undefined
      : withRetries(configured, { retries: deps.retries ?? 2, initialDelayMs: deps.retryDelayMs ?? 1000 });

  function load(actor: Actor): ConversationState {
    try {
      // A pending plan is kept even past its `expiresAt`: the core is the authority on expiry
      // (its clock issued it), and "yes" to an expired plan gets the core's plain refusal.
      return store.load(actor.userId);
    } catch (error) {
      logger.warn({ error: String(error), user: actor.userId }, "conversation-load-failed");
      return EMPTY_CONVERSATION;
    }
  }

  async function save(actor: Actor, state: ConversationState, reset: boolean): Promise<void> {
    const write = () => (reset ? store.reset(actor.userId) : store.save(actor.userId, state));
    try {
      write();
    } catch (error) {
      // The users row is created by the core on first contact; a message that made no core call may come first.
      try {
        await deps.core.whoami(actor);
        write();
      } catch {
        logger.warn({ error: String(error), user: actor.userId }, "conversation-save-failed");
      }
    }
  }

  const sshAccess = deps.config.ssh?.enabled === true ? sshAccessFrom(deps.config.ssh) : undefined;
  const { dashboardUrl } = accessPointsFrom(deps.config);

  function contextFor(actor: Actor, state: ConversationState, turn: Turn, message: string | undefined): ChatContext {
    let workloads: Promise<readonly WorkloadView[]> | undefined;
    const ownWorkloads = () =>
      (workloads ??= deps.core.list(actor).then(
        (result) => result.workloads.filter((workload) => workload.owner === actor.userId),
        () => [],
      ));
    return {
      core: deps.core,
      actor,
      turn,
      state,
      dryRun: deps.dryRun ?? false,
      ...(message !== undefined ? { message } : {}),
      clock,
      logger,
      ...(sshAccess ? { sshAccess } : {}),
      ...(dashboardUrl ? { dashboardUrl } : {}),
      ownWorkloads,
      ownNames: async () => (await ownWorkloads()).map((workload) => workload.name),
    };
  }

  /** Runs one engine call with memory: load, act, remember, reply. */
  async function withMemory(
    actor: Actor,
    userText: string | undefined,
    act: (context: ChatContext) => Promise<{
      outcome: EngineOutcome;
      engine: ChatReply["engine"];
      notice?: string;
      messages?: readonly ModelMessage[];
    }>,
  ): Promise<ChatReply> {
    const state = load(actor);
    const turn = new Turn();
    const context = contextFor(actor, state, turn, userText);
    let result: Awaited<ReturnType<typeof act>>;
    try {
      result = await act(context);
    } catch (error) {
      logger.error({ error: String(error), user: actor.userId }, "chat-failed");
      result = { outcome: { text: explainError(error) }, engine: "offline" };
    }
    const text = result.outcome.text.trim().length > 0 ? result.outcome.text : summariseTurn(turn);
    const added: ModelMessage[] = userText === undefined ? [] : [{ role: "user", content: userText }];
    added.push(...(result.messages ?? [{ role: "assistant" as const, content: text }]));
    // A typed "yes" answers only the message right before it: any other message drops the
    // pending plan from memory (its button still works until the core's token expires), so a
    // later "yes" to some other question can never destroy something.
    const pending = turn.confirmation
      ? {
          token: turn.confirmation.token,
          plan: turn.confirmation.plan,
          expiresAt: turn.confirmation.expiresAt.toISOString(),
        }
      : turn.pendingResolved || userText !== undefined
        ? undefined
        : state.pending;
    const focus = turn.focus ?? state.focus;
    const plannedOnly = turn.focus !== undefined ? turn.focusPlannedOnly : state.focusPlannedOnly === true;
    const next: ConversationState = {
      messages: userText === undefined ? state.messages : [...state.messages, ...added],
      ...(focus !== undefined ? { focus } : {}),
      ...(focus !== undefined && plannedOnly ? { focusPlannedOnly: true } : {}),
      ...(pending !== undefined ? { pending } : {}),
      ...(result.outcome.question !== undefined ? { question: result.outcome.question } : {}),
    };
    await save(actor, next, turn.resetRequested);
    return {
      text,
      engine: result.engine,
      ...(result.notice !== undefined ? { notice: result.notice } : {}),
      ...(turn.confirmation !== undefined ? { confirmation: turn.confirmation } : {}),
      ...(turn.job !== undefined ? { job: turn.job } : {}),
      operations: turn.operations,
    };
  }

  // While the model is known to be down, do not make every message wait for its retries.
  let modelDownUntil = 0;

  async function handleMessage(context: ChatContext, text: string) {
    if (model === undefined || mustRunOffline(text, context.state)) {
      return { outcome: await runOffline(text, context), engine: "offline" as const };
    }
    if (clock.now().getTime() < modelDownUntil) {
      return { outcome: await runOffline(text, context), engine: "offline" as const, notice: FALLBACK_NOTICE };
    }
    try {
      const outcome = await runLlm(text, context, {
        model,
        maxSteps: deps.config.llm.maxSteps,
        timeoutMs: deps.config.llm.timeoutSeconds * 1000,
      });
      logger.debug({ user: context.actor.userId, ...outcome.usage }, "llm-turn");
      return { outcome, engine: "llm" as const, messages: outcome.messages };
    } catch (error) {
      logger.warn({ error: String(error), user: context.actor.userId }, "llm-unreachable");
      modelDownUntil = clock.now().getTime() + MODEL_COOL_DOWN_MS;
      // Work the model already did is reported, not repeated by the offline engine.
      const outcome =
        context.turn.operations.length > 0 ? { text: summariseTurn(context.turn) } : await runOffline(text, context);
      return { outcome, engine: "offline" as const, notice: FALLBACK_NOTICE };
    }
  }

  return {
    handle(actor, text) {
      // Before any parsing, memory or model call: a giant message changes nothing.
      const oversize = oversizeReply(text);
      if (oversize !== undefined) return Promise.resolve({ text: oversize, engine: "offline", operations: [] });
      return queue.run(actor.userId, () => withMemory(actor, text, (context) => handleMessage(context, text)));
    },
    confirm(actor, token) {
      return queue.run(actor.userId, () =>
        withMemory(actor, undefined, async (context) => ({
          outcome: await confirmPending(context, token),
          engine: "offline",
        })),
      );
    },
    cancel(actor, token) {
      return queue.run(actor.userId, () =>
        withMemory(actor, undefined, async (context) => ({
          outcome: cancelPending(context, token),
          engine: "offline",
        })),
      );
    },
    reset(actor) {
      return queue.run(actor.userId, async () => {
        try {
          store.reset(actor.userId);
        } catch (error) {
          logger.warn({ error: String(error), user: actor.userId }, "conversation-reset-failed");
        }
      });
    },
  };
}
