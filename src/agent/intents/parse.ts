/**
 * The offline engine's parser: one message in, one `Intent` out, deterministically. Families
 * are tried in a fixed order so overlapping words resolve the same way every time.
 *
 * @module
 */
import type { Intent } from "./types.js";
import type { UserId } from "../../domain/identity.js";
import { normalise } from "./normalise.js";
import { parseSlash } from "./slash.js";
import { parseConfirmation, parseDialogue } from "./dialogue.js";
import { isCreate, parseCreate } from "./create.js";
import { parseLifecycle } from "./lifecycle.js";
import { parseInspect } from "./inspect.js";

/** What the parser may know besides the text. */
export interface ParseContext {
  /** The person's own workload names, preferred when matching names. */
  readonly knownNames: readonly string[];
  /** Catalog module names, recognised as modules in create requests. */
  readonly catalogNames: readonly string[];
  /** Who is asking, so naming oneself is not mistaken for naming someone else. */
  readonly self?: UserId;
}

const USER_MENTION = /\b(telegram|local|web)\s*:\s*[a-z0-9_.-]+/gi;

/** Parses one message. Never throws. */
export function parseIntent(raw: string, context: ParseContext): Intent {
  const slash = parseSlash(raw, context.knownNames, context.catalogNames);
  if (slash) return slash;
  // Identity comes from the channel, never from the text: a message naming another user is refused outright.
  for (const match of raw.matchAll(USER_MENTION)) {
    const mentioned = match[0].replace(/\s+/g, "").toLowerCase();
    if (mentioned !== context.self?.toLowerCase()) return { type: "other-user", mentioned };
  }
  const input = normalise(raw);
  if (input.tokens.length === 0) return { type: "help" };
  const confirmation = parseConfirmation(input);
  if (confirmation) return confirmation;
  const dialogue = parseDialogue(input);
  if (dialogue?.type === "reset") return dialogue;
  if (isCreate(input)) return parseCreate(input, context.catalogNames);
  const lifecycle = parseLifecycle(input, context.knownNames);
  if (lifecycle) return lifecycle;
  const inspect = parseInspect(input, context.knownNames);
  if (inspect) return inspect;
  if (dialogue) return dialogue;
  return { type: "unknown" };
}
