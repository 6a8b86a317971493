/**
 * Undo steps for multi-step changes, in the manner of Incus's reverter: each step that
 * succeeded registers how to undo itself; on failure they run in reverse order. Undo steps
 * that fail are collected, so the caller can say exactly what was left behind.
 *
 * @module
 */

interface UndoStep {
  readonly description: string;
  readonly undo: () => unknown;
}

/** Collects undo steps; call `revert` on failure or `success` once everything worked. */
export class Reverter {
  readonly #steps: UndoStep[] = [];

  /** Registers an undo step. `description` names what would be kept if it failed ("the workspace of dev"). */
  add(description: string, undo: () => unknown): void {
    this.#steps.push({ description, undo });
  }

  /** Forgets every step: the change is complete. */
  success(): void {
    this.#steps.length = 0;
  }

  /** Runs undo steps newest first; returns what could not be undone, with the reason. */
  async revert(): Promise<string[]> {
    const kept: string[] = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        kept.push(`${step.description} (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    return kept;
  }
}
