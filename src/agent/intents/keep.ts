/**
 * "keep", "keep web", "keep it running", "/keep web": the reply to an idle warning. Without a
 * name the core keeps the workloads the person was warned about. Read from the whole message
 * and only in these short forms, so "keep git in dev" is never taken for it.
 *
 * @module
 */
import type { Intent } from "./types.js";
import { normalise } from "./normalise.js";
import { targetOfWord } from "./target.js";

const KEEP =
  /^(?:please |pls |ok |okay |yes )?keep(?: (\S+))?(?: (?:running|on|alive|going|up|it running))?(?: please| pls| thanks| thank you)?[.!]*$/;

/** The keep request in `raw`, or undefined. */
export function parseKeep(raw: string, knownNames: readonly string[]): Intent | undefined {
  const text = normalise(raw.replace(/^\/keep(?:@\S+)?/i, "keep")).tokens.join(" ");
  const match = KEEP.exec(text);
  if (!match) return undefined;
  const word = match[1];
  if (word === undefined || ["running", "on", "alive", "going", "up", "please", "pls", "thanks"].includes(word))
    return { type: "keep", target: { kind: "none" } };
  const target = targetOfWord(word, knownNames);
  return target && { type: "keep", target };
}
