/**
 * Follows a core job to its end, showing its progress on stderr (spinner or plain lines,
 * nothing with `--json`) and resolving with the job's result or rejecting with its error.
 *
 * @module
 */
import type { JobHandle } from "../../core/api.js";
import type { CliContext } from "./context.js";

/** Shows `handle`'s progress until it ends; `summary` words the success line. */
export async function followJob<T>(
  context: CliContext,
  handle: JobHandle<T>,
  label: string,
  summary: (result: T) => string,
): Promise<T> {
  const display = await context.progress(`${label} (job ${handle.id})`);
  const unsubscribe = handle.onEvent((event) => {
    if (event.type === "step") display.update(event.message);
    else if (event.type === "log") display.log(event.line);
  });
  try {
    const result = await handle.wait();
    display.end("succeeded", summary(result));
    return result;
  } catch (error) {
    display.end("failed", error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    unsubscribe();
  }
}
