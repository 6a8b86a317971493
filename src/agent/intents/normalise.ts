/**
 * The tokenizer and normaliser every intent family reads from: lowercase, typographic quotes
 * and dashes folded, punctuation dropped, and a token list where workload names survive
 * intact ("dev-3" stays one token).
 *
 * @module
 */

/** A message prepared for matching. */
export interface Normalised {
  /** The original text, trimmed. */
  readonly raw: string;
  /** Lowercase, single-spaced, punctuation reduced to spaces (hyphens, dots and colons kept inside words). */
  readonly text: string;
  readonly tokens: readonly string[];
}

const TOKEN = /[a-z0-9][a-z0-9._:-]*[a-z0-9]|[a-z0-9]/g;

/** Normalises `raw` into comparable text and tokens. */
export function normalise(raw: string): Normalised {
  const trimmed = raw.trim();
  const folded = trimmed
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2010-\u2015]/g, "-")
    // "telegram:43's dev" → "telegram:43 dev"; "what's" → "what is"
    .replace(/'s\b/g, (match, offset: number, whole: string) =>
      /(what|it|that|there|who|how|where)$/.test(whole.slice(0, offset)) ? " is" : "",
    )
    .replace(/n't\b/g, " not")
    .replace(/'/g, "");
  const tokens = folded.match(TOKEN) ?? [];
  return { raw: trimmed, text: tokens.join(" "), tokens };
}

/** True when `phrase` (space-separated words) occurs in `text` on word boundaries. */
export function hasPhrase(text: string, phrase: string): boolean {
  return ` ${text} `.includes(` ${phrase} `);
}

/** True when any of the phrases occurs. */
export function hasAny(text: string, phrases: readonly string[]): boolean {
  return phrases.some((phrase) => hasPhrase(text, phrase));
}

// Phrases are constants, so their words are split once.
const PHRASE_WORDS = new Map<string, readonly string[]>();
function wordsOf(phrase: string): readonly string[] {
  let words = PHRASE_WORDS.get(phrase);
  if (words === undefined) {
    words = phrase.split(" ");
    PHRASE_WORDS.set(phrase, words);
  }
  return words;
}

/** Index of the first token at which `phrase` starts, or -1. */
export function phraseIndex(tokens: readonly string[], phrase: string): number {
  const words = wordsOf(phrase);
  const first = words[0]!;
  for (
    let index = tokens.indexOf(first);
    index >= 0 && index + words.length <= tokens.length;
    index = tokens.indexOf(first, index + 1)
  ) {
    let matches = true;
    for (let offset = 1; offset < words.length && matches; offset += 1)
      matches = tokens[index + offset] === words[offset];
    if (matches) return index;
  }
  return -1;
}

/** The earliest match among `phrases`: its token index and length in tokens, or undefined. */
export function firstPhrase(
  tokens: readonly string[],
  phrases: readonly string[],
): { index: number; length: number; phrase: string } | undefined {
  let best: { index: number; length: number; phrase: string } | undefined;
  for (const phrase of phrases) {
    const index = phraseIndex(tokens, phrase);
    if (index < 0) continue;
    const length = wordsOf(phrase).length;
    if (best === undefined || index < best.index || (index === best.index && length > best.length))
      best = { index, length, phrase };
  }
  return best;
}

/** Words that never name a workload when they follow a verb ("stop *the* web *container*"). */
export const FILLER_WORDS: ReadonlySet<string> = new Set([
  "the",
  "a",
  "an",
  "my",
  "our",
  "your",
  "container",
  "containers",
  "box",
  "vm",
  "machine",
  "instance",
  "workload",
  "please",
  "pls",
  "now",
  "again",
  "then",
  "and",
  "also",
  "just",
  "go",
  "ahead",
  "back",
  "up",
  "down",
  "off",
  "on",
  "for",
  "me",
  "of",
  "called",
  "named",
  "name",
  "one",
  "thing",
  "quickly",
  "right",
  "away",
  "can",
  "you",
  "could",
  "would",
  "will",
  "to",
  "i",
  "want",
  "need",
  "lets",
  "let",
  "us",
  "ok",
  "okay",
  "so",
  "hey",
  "kindly",
  "too",
  "is",
  "its",
  "in",
  "from",
  "at",
  "what",
  "how",
  "whats",
  "with",
  "all",
  "everything",
  "some",
  "latest",
  "last",
  "lines",
  "line",
  "logs",
  "log",
  "status",
  "details",
  "info",
  "about",
  "show",
  "tell",
]);

/** Words that point at the workload just discussed. */
export const REFERENCE_WORDS: ReadonlySet<string> = new Set([
  "it",
  "that",
  "this",
  "same",
  "them",
  "previous",
  "former",
  "latter",
]);

/** A loose check for a token that could be a workload name; the core does the real validation. */
export function looksLikeName(token: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(token) && token.length <= 40;
}
