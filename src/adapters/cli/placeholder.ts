/**
 * The action of a command whose real implementation is not part of this build: it says so
 * on stderr and exits 1.
 *
 * @module
 */
import type { CliContext } from "./context.js";

/** Reports that `command` (e.g. "voxnix setup") is not available and sets exit code 1. */
export function notAvailable(context: CliContext, command: string): void {
  context.warn(`error: ${command} is not available in this build yet.`);
  context.setExitCode(1);
}
