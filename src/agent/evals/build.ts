/**
 * Small builders for eval conversations, so the everyday set reads as a list of what people
 * say rather than as nested objects.
 *
 * @module
 */
import type { UserId } from "../../domain/identity.js";
import type { EvalConversation, EvalTurn, ExpectedWorkload } from "./types.js";

/** The default speaker of every eval turn. */
export const ALICE: UserId = "telegram:42";
/** Another user, whose workloads Alice must never reach. */
export const BOB: UserId = "telegram:43";
/** One GiB in bytes. */
export const GiB = 1024 ** 3;

/** Alice's `web` and `dev`, the usual starting point. */
export const WEB_AND_DEV = [
  { owner: ALICE, name: "web" },
  { owner: ALICE, name: "dev" },
] as const;

/** Options of a one-message conversation. */
export interface SingleOptions extends Omit<EvalTurn, "say" | "operations"> {
  readonly setup?: EvalConversation["setup"];
  readonly expect?: readonly ExpectedWorkload[];
}

/** A one-message conversation: `say` must cause exactly `operations`. */
export function single(
  id: string,
  intent: string,
  say: string,
  operations: readonly string[],
  options: SingleOptions = {},
): EvalConversation {
  const { setup, expect, ...turn } = options;
  return {
    id,
    intent,
    ...(setup ? { setup } : {}),
    turns: [{ say, operations, ...turn }],
    ...(expect ? { expect } : {}),
  };
}
