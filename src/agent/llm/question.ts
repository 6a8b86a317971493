/**
 * The question the model asked, as the offline engine would remember it. Answers to an open
 * question ("web" after "What should I call it?", "yes" to a suggested name, "api" after
 * "Which one?") are handled deterministically (`routing.ts`, `answerQuestion`), but only the
 * offline engine used to open one: after the model asked, the answer went back to the model
 * with nothing but the history to go on, and a short "api" read on its own is a question
 * about api, not the stop it answers. A question is remembered only when the person's own
 * words (read by the offline parser) leave the same gap and the model's reply plainly asks
 * about it, so an answer can never complete a request the person did not make.
 *
 * @module
 */
import type { ChatContext } from "../chat-context.js";
import type { OpenQuestion } from "../memory/state.js";
import { parseIntent } from "../intents/parse.js";
import { isWorkloadRequest } from "../intents/types.js";
import { resolveTarget, suggestFreeName } from "../intents/resolver.js";

/**
 * The open question behind `reply`, the model's answer in words (no tool ran) to `message`,
 * or undefined when the model asked nothing this engine can follow up:
 * - a create without a name, when the reply asks and offers the free name the offline engine
 *   would offer (so "yes" creates exactly the name the person saw);
 * - one operation whose target is unclear ("stop" with several containers), when the reply
 *   asks and names at least two of the person's containers ("web or api?").
 */
export async function questionAsked(
  message: string,
  reply: string,
  context: ChatContext,
): Promise<OpenQuestion | undefined> {
  if (!reply.includes("?")) return undefined;
  const names = await context.ownNames();
  const intent = parseIntent(message, {
    knownNames: names,
    catalogNames: context.core.modules().map((module) => module.name),
    self: context.actor.userId,
  });
  if (intent.type === "create") {
    if (intent.name !== undefined) return undefined;
    const suggestion = await suggestFreeName(context.core, context.actor, names);
    return mentions(reply, suggestion) ? { request: intent, suggestion } : undefined;
  }
  if (!isWorkloadRequest(intent)) return undefined;
  if (resolveTarget(intent.type, intent.target, context.state.focus, names).kind !== "ask") return undefined;
  return names.filter((name) => mentions(reply, name)).length >= 2 ? { request: intent } : undefined;
}

/** True when `text` has `name` as a word of its own ("dev-1", not "dev-10"). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:^|[^a-z0-9-])${escaped}(?:[^a-z0-9-]|$)`, "i").test(text);
}
