/**
 * Finds which workload a message points at: an explicit name after the verb, a reference
 * ("it", "that one"), "all of them", or nothing.
 *
 * @module
 */
import type { Target } from "./types.js";
import { FILLER_WORDS, REFERENCE_WORDS, looksLikeName } from "./normalise.js";

/**
 * Reads the target from the tokens after the verb (and, failing that, before it).
 * `knownNames` (the person's own workloads) are preferred wherever they appear.
 */
export function findTarget(tokens: readonly string[], verbEnd: number, verbStart: number, knownNames: readonly string[]): Target {
  const known = tokens.find((token) => knownNames.includes(token));
  if (known !== undefined) return { kind: "named", name: known };
  const after = tokens.slice(verbEnd);
  if (after.some((token) => token === "all" || token === "everything")) return { kind: "all" };
  for (const token of after) {
    if (REFERENCE_WORDS.has(token)) return { kind: "reference" };
    if (FILLER_WORDS.has(token) || /^\d+$/.test(token)) continue;
    if (looksLikeName(token)) return { kind: "named", name: token };
  }
  for (const token of tokens.slice(0, verbStart)) {
    if (REFERENCE_WORDS.has(token)) return { kind: "reference" };
  }
  return { kind: "none" };
}
