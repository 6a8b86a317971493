/**
 * The model may read "stop web tonight" or "stop web after 2 hours idle" as a stop: the
 * lifecycle tools and the create tool check the person's own words with the offline parser
 * first and act only when the message does not put the request later or on a condition, and
 * does not decline it ("don't stop web", "don't create a container"). Doing it now would be
 * the opposite of what was asked.
 *
 * @module
 */
import type { ChatContext } from "../chat-context.js";
import { parseRequests } from "../intents/parse.js";
import { describeClarify, describeDeclined } from "../intents/wording.js";
import type { ActionVerb, Intent, Target } from "../intents/types.js";

/** The refusal for `verb` on `name` when the message asks for it later or on a condition, or declines it; else undefined. */
export async function notNowRefusal(
  context: ChatContext,
  verb: ActionVerb,
  name: string,
): Promise<{ readonly ok: false; readonly error: "not-now" | "declined"; readonly message: string } | undefined> {
  if (!context.message) return undefined;
  const intents = parseRequests(context.message, { knownNames: await context.ownNames(), catalogNames: [] });
  const aimsAt = (target: Target) =>
    target.kind === "named" || target.kind === "unknown" ? target.name === name : true;
  const later = intents.some(
    (intent) =>
      (intent.type === "clarify" && intent.why === "later" && intent.verb === verb && aimsAt(intent.target)) ||
      (intent.type === "idle-timeout" && verb === "stop" && aimsAt(intent.target)),
  );
  // "don't stop web": declined and not asked for plainly anywhere else in the message.
  const asked = (intent: Intent) =>
    intent.type === "create"
      ? verb === "create" && (intent.name === undefined || intent.name === name)
      : intent.type === verb && "target" in intent && aimsAt(intent.target);
  const declined =
    intents.some((intent) => intent.type === "declined" && intent.verb === verb && aimsAt(intent.target)) &&
    !intents.some(asked);
  if (declined) {
    context.turn.say(describeDeclined(verb, name));
    return {
      ok: false,
      error: "declined",
      message: `Nothing was done: the person said not to ${verb} ${name}. Do not ${verb} ${name}.`,
    };
  }
  if (!later) return undefined;
  context.turn.say(describeClarify(verb, name, "later"));
  return {
    ok: false,
    error: "not-now",
    message: `Nothing was done: the person asked for this later or on a condition, and voxnix acts only right away. Do not ${verb} ${name} now.`,
  };
}
