/**
 * The inspection family: list ("what do I have"), show/status ("how is web doing"), logs
 * ("last 50 lines of web's logs"), storage ("how much disk do I use") and whoami.
 *
 * @module
 */
import type { Intent } from "./types.js";
import { firstPhrase, hasAny, type Normalised } from "./normalise.js";
import { findTarget } from "./target.js";

const LOGS = ["logs", "log", "journal", "journalctl", "output", "what happened"];
const STORAGE = ["storage", "quota", "disk", "disk space", "space", "how much space", "usage", "df", "snapshots"];
const LIST = [
  "list",
  "ls",
  "what do i have",
  "what have i got",
  "what i have",
  "my containers",
  "all my",
  "show containers",
  "show my",
  "which containers",
  "what containers",
  "whats running",
  "what is running",
  "containers do i have",
  "overview",
  "everything i have",
  "all i have",
  "what i got",
  "what is mine",
];
const SHOW = [
  "show",
  "status",
  "details",
  "detail",
  "info",
  "inspect",
  "describe",
  "how is",
  "is it running",
  "state of",
  "ip of",
  "address of",
  "how are",
  "check",
  "how it is",
  "how its doing",
];
/** Phrases asking about one's own account and limits. */
export const WHOAMI = [
  "whoami",
  "who am i",
  "my account",
  "my limits",
  "my quota limits",
  "how many containers can i",
  "what are my limits",
  "my limit",
];

/** Parses an inspection request, or returns undefined. */
export function parseInspect(input: Normalised, knownNames: readonly string[]): Intent | undefined {
  const { text, tokens } = input;
  if (hasAny(text, WHOAMI)) return { type: "whoami" };
  const logs = firstPhrase(tokens, LOGS);
  if (logs) {
    const lines = /\b(\d{1,4})\s*(lines?|entries)\b/.exec(text) ?? /\blast\s+(\d{1,4})\b/.exec(text);
    // Known names before the verb count too ("show me web's logs"); an unknown word there never does.
    const target = findTarget(tokens, logs.index + logs.length, logs.index, knownNames);
    return { type: "logs", target, ...(lines ? { lines: Number(lines[1]) } : {}) };
  }
  const plural = /\b(containers|boxes|machines|workloads|vms|instances)\b/.test(text);
  if (hasAny(text, LIST) && (plural || !knownNames.some((name) => tokens.includes(name)))) {
    if (!hasAny(text, ["storage", "disk", "quota", "space"])) return { type: "list" };
  }
  if (firstPhrase(tokens, STORAGE)) return { type: "storage" };
  const show = firstPhrase(tokens, SHOW);
  if (show) {
    if (plural && !knownNames.some((name) => tokens.includes(name))) return { type: "list" };
    return { type: "show", target: findTarget(tokens, show.index + show.length, show.index, knownNames) };
  }
  // "is web running?", "web?" with a known name and nothing else: show it.
  if (tokens.length <= 4 && knownNames.some((name) => tokens.includes(name))) {
    return { type: "show", target: findTarget(tokens, 0, 0, knownNames) };
  }
  return undefined;
}
