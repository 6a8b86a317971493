/**
 * Which messages skip the model even when one is configured: slash commands, replies to a
 * pending confirmation or an open question, resets, account questions, "run <command> in
 * <name>" requests, VM and login questions (not VM creates), and text naming another user. These are
 * answered deterministically so the model can never confirm or act on someone's behalf.
 *
 * @module
 */
import type { ConversationState } from "./memory/state.js";
import { hasAny, normalise, looksLikeName } from "./intents/normalise.js";
import { parseConfirmation, parseDialogue } from "./intents/dialogue.js";
import { parseExec } from "./intents/exec.js";
import { WHOAMI } from "./intents/inspect.js";
import { splitClauses } from "./intents/clauses.js";
import { parseAccess, parseVm } from "./intents/questions.js";
import { findIdleTimeoutRequest } from "./intents/idle-phrase.js";
import { parseKeep } from "./intents/keep.js";

const USER_MENTION = /\b(telegram|local|web)\s*:\s*[a-z0-9_.-]+/i;

/** True when the offline engine must answer `text`. */
export function mustRunOffline(text: string, state: ConversationState): boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith("/")) return true;
  if (USER_MENTION.test(trimmed)) return true;
  // Commands inside a container are only ever run when the person typed them; the model has no exec tool.
  if (parseExec(trimmed) !== undefined) return true;
  // "keep" answers an idle warning; the model has no tool for it.
  if (parseKeep(trimmed, []) !== undefined) return true;
  // "stop web after 2 hours idle" sets a timeout; the model has no tool for it and would stop web now.
  if (findIdleTimeoutRequest(trimmed) !== undefined) return true;
  const input = normalise(trimmed);
  if (parseConfirmation(input) !== undefined && (state.pending !== undefined || state.question !== undefined))
    return true;
  if (parseDialogue(input)?.type === "reset") return true;
  // Account questions are answered from the core directly; the model has no tool for them.
  if (input.tokens.length <= 8 && hasAny(input.text, WHOAMI)) return true;
  if (state.question !== undefined && input.tokens.length <= 3 && input.tokens.some(looksLikeName)) return true;
  // Questions about VMs and logging in have no tool: the answers name only what exists, so a
  // model cannot invent a VM runtime or a way in. A plain VM request is a create, for the model.
  if (splitClauses(trimmed).some((clause) => parseVm(clause) !== undefined || parseAccess(clause, []) !== undefined))
    return true;
  return false;
}
