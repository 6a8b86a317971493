/**
 * Turning anything thrown into a `VoxnixError`, so callers only ever see the closed union.
 *
 * @module
 */
import { HostFailureError, TimeoutError, VoxnixError, type AnyVoxnixError } from "../domain/errors.js";

/** Returns `error` if it is a `VoxnixError`, else a `HostFailureError` carrying it as the cause. */
export function toVoxnixError(error: unknown): AnyVoxnixError {
  if (VoxnixError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new HostFailureError(
    "Something went wrong inside voxnix; an administrator can find the details in the logs.",
    detail,
    { cause: error },
  );
}

/** The same kind of error, with a note saying what a failed rollback left behind. */
export function withKeptNote(error: AnyVoxnixError, kept: readonly string[]): AnyVoxnixError {
  if (kept.length === 0) return error;
  const note = ` Cleaning up failed, so these were kept: ${kept.join("; ")}.`;
  if (error instanceof TimeoutError) return new TimeoutError(error.message + note, error.timeoutMs, { cause: error });
  const detail = error instanceof HostFailureError ? error.detail : undefined;
  return new HostFailureError(error.message + note, detail, { cause: error });
}
