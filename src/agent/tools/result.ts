/**
 * The shape every tool returns to the model: `{ ok: true, … }` or `{ ok: false, error, message }`
 * with the error worded by `explainError`, so the model never sees stderr or stack traces.
 *
 * @module
 */
import { zodSchema } from "ai";
import { z } from "zod";
import { VoxnixError } from "../../domain/errors.js";
import { explainError } from "../../api/error-wording.js";
import type { Turn } from "../turn.js";

/** A failed tool call as the model sees it. */
export interface ToolFailure {
  readonly ok: false;
  readonly error: string;
  readonly message: string;
}

/** Converts a thrown error into a tool failure. */
export function toolFailure(error: unknown): ToolFailure {
  return { ok: false, error: VoxnixError.isInstance(error) ? error.kind : "internal", message: explainError(error) };
}

/** Runs `work`, turning any error into a `ToolFailure` whose message is also the turn's reply line. */
export async function guard<T extends object>(
  turn: Turn,
  work: () => Promise<T>,
): Promise<(T & { ok: true }) | ToolFailure> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    const failure = toolFailure(error);
    turn.say(failure.message);
    return failure;
  }
}

/** The input schema of tools that take no arguments, converted to JSON Schema once. */
export const EMPTY_INPUT = zodSchema(z.object({}));
