/**
 * What the pipeline remembers per user between messages: the model-format message history
 * plus the small facts both engines need (the workload just discussed, a confirmation
 * waiting for "yes", a question waiting for an answer).
 *
 * @module
 */
import type { ModelMessage } from "ai";
import type { DestroyPlan } from "../../domain/errors.js";
import type { CreateRequest, WorkloadRequest } from "../intents/types.js";

/** A destroy plan waiting for this user's "yes"; the token never goes to the model. */
export interface StoredConfirmation {
  readonly token: string;
  readonly plan: DestroyPlan;
  /** ISO time. */
  readonly expiresAt: string;
}

/** A question the offline engine asked ("What should I call it?") and the request it completes. */
export interface OpenQuestion {
  readonly request: CreateRequest | WorkloadRequest;
  /** A free name offered in the question; "yes"/"ok" accepts it. */
  readonly suggestion?: string;
}

/** One user's conversation. */
export interface ConversationState {
  readonly messages: readonly ModelMessage[];
  /** The workload just discussed, for "stop it" and "now destroy it". */
  readonly focus?: string;
  /** Set when the focus was only planned by a dry run (`say --dry-run`), so it does not exist. */
  readonly focusPlannedOnly?: boolean;
  readonly pending?: StoredConfirmation;
  readonly question?: OpenQuestion;
}

/** A conversation with nothing in it. */
export const EMPTY_CONVERSATION: ConversationState = { messages: [] };
