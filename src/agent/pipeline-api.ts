/**
 * The chat pipeline's public surface, shared by every conversational adapter (Telegram,
 * `voxnix chat`, `voxnix say`). One message in, one reply out; the pipeline picks the LLM
 * agent or the offline intent engine, keeps per-user memory, and serialises each user's
 * messages while different users run in parallel.
 *
 * @module
 */
import type { AnyJobHandle } from "../core/api.js";
import type { Actor } from "../domain/identity.js";
import type { DestroyPlan, VoxnixErrorKind } from "../domain/errors.js";

/** One core operation the pipeline performed for a message (for `say --json` and evals). */
export interface OperationRecord {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** `needs-confirmation`: a destroy plan was made and waits for the person's own yes. */
  readonly outcome: "ok" | "needs-confirmation" | "error";
  readonly result?: unknown;
  readonly error?: { readonly kind: VoxnixErrorKind; readonly message: string };
}

/** A destructive plan waiting for the user's own confirmation (button, y/N, or "yes"). */
export interface PendingConfirmation {
  readonly token: string;
  readonly plan: DestroyPlan;
  readonly expiresAt: Date;
}

export interface ChatReply {
  /** Plain text for people; adapters escape it for their markup. Never empty. */
  readonly text: string;
  readonly engine: "llm" | "offline";
  /** Set when the model was unreachable and the offline engine answered instead. */
  readonly notice?: string;
  readonly confirmation?: PendingConfirmation;
  /** A long operation that was started; adapters show its progress and final result. */
  readonly job?: AnyJobHandle;
  readonly operations: readonly OperationRecord[];
}

export interface ChatPipeline {
  /** Handles one message from `actor`. Never throws for user or host errors; they become reply text. */
  handle(actor: Actor, text: string): Promise<ChatReply>;
  /** The user pressed Confirm (or answered y) for a pending plan. */
  confirm(actor: Actor, token: string): Promise<ChatReply>;
  /** The user pressed Cancel. */
  cancel(actor: Actor, token: string): Promise<ChatReply>;
  /** Forgets the user's conversation (`/reset`). */
  reset(actor: Actor): Promise<void>;
}
