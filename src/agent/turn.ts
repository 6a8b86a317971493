/**
 * One message's worth of work, shared by both engines and the tools: every core call goes
 * through `Turn.call`, which records the operation (for `say --json` and evals), remembers
 * the workload it concerned, and captures a destroy plan or a started job for the reply.
 *
 * @module
 */
import type { AnyJobHandle, JobHandle } from "../core/api.js";
import { VoxnixError } from "../domain/errors.js";
import type { NeedsConfirmation } from "../api/outcome.js";
import type { OperationRecord, PendingConfirmation } from "./pipeline-api.js";

/** The per-message record of what was done. */
export class Turn {
  readonly operations: OperationRecord[] = [];
  confirmation?: PendingConfirmation;
  job?: AnyJobHandle;
  /** The workload this message concerned last (becomes the conversation's focus). */
  focus?: string;
  /** True when the focus was only planned by a dry run, so it does not exist. */
  focusPlannedOnly = false;
  /** Set when the conversation memory should be dropped after this message (`/reset`). */
  resetRequested = false;
  /** Set when the stored pending confirmation was used or cancelled. */
  pendingResolved = false;
  /** Reply lines the tools rendered from their results, so a model turn can end without a second call. */
  readonly said: string[] = [];

  /** Adds one reply line rendered from a tool result. */
  say(text: string): void {
    this.said.push(text);
  }

  /**
   * Runs one core call and records it. `summary` turns the result into plain data for the
   * record. Errors are recorded and rethrown; a destroy's `needs-confirmation` outcome sets
   * `confirmation`.
   */
  call<T>(
    operation: string,
    input: Readonly<Record<string, unknown>>,
    work: () => Promise<T>,
    summary: (result: T) => unknown = (result) => result,
  ): Promise<T> {
    // The AI SDK runs one step's tool calls in parallel; "stop dev, then start dev" must not
    // race, so calls run one after another in the order they were made.
    const run = this.last.then(() => this.record(operation, input, work, summary));
    this.last = run.catch(() => undefined);
    return run;
  }

  private last: Promise<unknown> = Promise.resolve();

  /**
   * Runs one tool's whole execution after the tools the model called before it in this turn
   * have finished. `call` alone orders only the core calls, and a tool may check the
   * person's words first (`notNowRefusal`, `asksToDestroy`), so in "stop web and delete dev"
   * the destroy plan used to be made before the stop. People's order is kept: each tool
   * starts when the one before it has answered, and its reply line follows that one's.
   */
  inOrder<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lastTool.then(work);
    this.lastTool = run.catch(() => undefined);
    return run;
  }

  private lastTool: Promise<unknown> = Promise.resolve();

  private async record<T>(
    operation: string,
    input: Readonly<Record<string, unknown>>,
    work: () => Promise<T>,
    summary: (result: T) => unknown,
  ): Promise<T> {
    try {
      const result = await work();
      if (isNeedsConfirmation(result)) {
        this.operations.push({
          operation,
          input,
          outcome: "needs-confirmation",
          result: { workload: result.plan.workload },
        });
        this.confirmation = { token: result.token, plan: result.plan, expiresAt: result.expiresAt };
        this.focus = result.plan.workload;
        this.focusPlannedOnly = false;
        return result;
      }
      this.operations.push({ operation, input, outcome: "ok", result: summary(result) });
      if (typeof input.name === "string") {
        this.focus = input.name;
        this.focusPlannedOnly = operation === "planCreate";
      }
      return result;
    } catch (error) {
      if (VoxnixError.isInstance(error)) {
        this.operations.push({
          operation,
          input,
          outcome: "error",
          error: { kind: error.kind, message: error.message },
        });
      } else {
        this.operations.push({
          operation,
          input,
          outcome: "error",
          error: { kind: "host-failure", message: "unexpected error" },
        });
      }
      throw error;
    }
  }
}

/** A job handle summarised for records: just its id. */
export function jobSummary(job: JobHandle<unknown>): { jobId: string } {
  return { jobId: job.id };
}

function isNeedsConfirmation(value: unknown): value is NeedsConfirmation {
  return (value as { type?: unknown } | null)?.type === "needs-confirmation";
}
