/**
 * "… and stop it after 2 hours idle", "with an idle timeout of 30 minutes", "never stop it
 * when idle": the idle timeout a create asks for. It is read from the whole message and
 * taken out before the message is split into clauses, because "and stop it …" would
 * otherwise read as a second request (a stop). Only phrases that say *idle* (idle, unused,
 * inactivity, without activity) count: "stop it after 2 hours" is not an idle timeout.
 *
 * @module
 */

/** What the phrase asked for and the message without it. */
export interface IdlePhrase {
  /** A duration the core reads ("2h", "90m", "1d") or "off". */
  readonly timeout: string;
  readonly rest: string;
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  "forty-five": 45,
  "forty five": 45,
  half: 0.5,
  "half an": 0.5,
  "half a": 0.5,
};
const AMOUNT = String.raw`(\d+(?:\.\d+)?|half an?|forty[- ]five|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)`;
const UNIT = String.raw`(hours?|hrs?|h|minutes?|mins?|m|days?|d)\b`;
const DURATION = String.raw`${AMOUNT}\s*-?\s*${UNIT}`;
const STOP = String.raw`(?:auto[- ]?)?(?:stop|shut\s+(?:it\s+)?down|shutdown|turn\s+(?:it\s+)?off|power\s+(?:it\s+)?(?:off|down)|suspend)(?:\s+it)?`;
const IDLE_WORDS = String.raw`(?:idle|idling|idleness|inactive|inactivity|unused|of\s+(?:idle|idling|inactivity|idle\s+time|no\s+(?:activity|use))|without\s+(?:any\s+)?(?:activity|use|being\s+used)|of\s+not\s+being\s+used|nobody\s+uses\s+it)`;
const LEAD = String.raw`(?:,?\s*(?:and|&|but)\s+)?(?:please\s+)?`;

const IS = String.raw`it(?:['’]s|\s+is|\s+has\s+been|\s+was)`;

/** Durations: "stop it after 2 hours idle", "stop it when idle for 30 min", "idle timeout of 2h", "2h idle timeout". */
const DURATION_PHRASES: readonly RegExp[] = [
  new RegExp(
    String.raw`${LEAD}${STOP}\s+(?:after|once\s+${IS}|when\s+${IS}|when|if\s+${IS}|if)\s+(?:being\s+)?(?:idle|unused|inactive)\s+(?:for\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(
    String.raw`${LEAD}${STOP}\s+(?:if|when|once)\s+(?:nobody|no\s+one)\s+(?:uses|has\s+used|touches|has\s+touched)\s+it\s+(?:for\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(String.raw`${LEAD}${STOP}\s+after\s+${DURATION}\s+${IDLE_WORDS}`, "i"),
  new RegExp(
    String.raw`,?\s*(?:and\s+|with\s+)?(?:an?\s+)?idle[- ]?(?:timeout|timer|stop)\s+(?:of\s+|at\s+|to\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(String.raw`,?\s*(?:and\s+|with\s+)?(?:an?\s+)?${DURATION}\s+idle[- ]?(?:timeout|timer|stop)`, "i"),
];

/** "Never": "never stop it when idle", "don't stop it for idleness", "no idle timeout", "idle timeout off". */
const OFF_PHRASES: readonly RegExp[] = [
  new RegExp(
    String.raw`${LEAD}(?:never|don['’]?t|do\s+not)\s+(?:ever\s+)?${STOP}\s+(?:when|if|for|because|for\s+being|just\s+because)\s+(?:${IS}\s+)?(?:idle|idleness|inactive|inactivity|unused|nobody\s+uses\s+it)`,
    "i",
  ),
  /,?\s*(?:and\s+|with\s+)?(?:no|without\s+an?)\s+idle[- ]?(?:timeout|timer|stop)/i,
  /,?\s*(?:and\s+|with\s+)?(?:the\s+)?idle[- ]?(?:timeout|timer|stop)\s+(?:off|disabled|of\s+never|never)/i,
];

/** The idle timeout phrase in `raw`, or undefined. */
export function findIdlePhrase(raw: string): IdlePhrase | undefined {
  for (const pattern of OFF_PHRASES) {
    const match = pattern.exec(raw);
    if (match) return { timeout: "off", rest: cut(raw, match) };
  }
  for (const pattern of DURATION_PHRASES) {
    const match = pattern.exec(raw);
    if (!match) continue;
    const timeout = durationText(match[1]!, match[2]!);
    if (timeout !== undefined) return { timeout, rest: cut(raw, match) };
  }
  return undefined;
}

function cut(raw: string, match: RegExpExecArray): string {
  return `${raw.slice(0, match.index)} ${raw.slice(match.index + match[0].length)}`.replace(/\s+/g, " ").trim();
}

/** "2" "hours" → "2h"; "half an" "hour" → "30m"; "1.5" "h" → "90m". */
function durationText(amount: string, unit: string): string | undefined {
  const word = amount.toLowerCase().replace(/\s+/g, " ");
  const count = /^\d/.test(word) ? Number(word) : NUMBER_WORDS[word];
  if (count === undefined || !Number.isFinite(count) || count <= 0) return undefined;
  const letter = unit.toLowerCase()[0] as "h" | "m" | "d";
  const minutes = count * (letter === "d" ? 1440 : letter === "h" ? 60 : 1);
  if (minutes < 1) return undefined;
  if (Number.isInteger(minutes / 1440) && letter === "d") return `${minutes / 1440}d`;
  if (Number.isInteger(minutes / 60)) return `${minutes / 60}h`;
  return `${Math.round(minutes)}m`;
}

/** What a message asks of an existing workload's idle timeout: the name word as written, and the timeout. */
export interface IdleTimeoutRequest {
  readonly name: string;
  readonly timeout: string;
}

const NAME = String.raw`([a-z][a-z0-9-]{0,62})`;
const STOP_VERB = String.raw`(?:auto[- ]?)?(?:stop|shut\s+down|shutdown|turn\s+off|power\s+(?:off|down)|suspend)`;
const TIMER = String.raw`idle[- ]?(?:timeout|timer|stop)`;
const OPEN = String.raw`^\s*(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?`;

/** "stop web after 2 hours idle", "shut down web when it's idle for 30 min", "set web's idle timeout to 2h". */
const FOR_EXISTING: readonly RegExp[] = [
  new RegExp(
    String.raw`${OPEN}${STOP_VERB}\s+${NAME}\s+(?:after|once\s+${IS}|when\s+${IS}|when|if\s+${IS}|if|once)\s+(?:being\s+)?(?:idle|unused|inactive)\s+(?:for\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(String.raw`${OPEN}${STOP_VERB}\s+${NAME}\s+after\s+${DURATION}\s+${IDLE_WORDS}`, "i"),
  new RegExp(
    String.raw`${OPEN}${STOP_VERB}\s+${NAME}\s+(?:if|when|once)\s+(?:nobody|no\s+one)\s+(?:uses|has\s+used|touches|has\s+touched)\s+it\s+(?:for\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(
    String.raw`${OPEN}(?:set|change|make)\s+(?:the\s+)?${TIMER}\s+(?:of|for|on)\s+${NAME}\s+(?:to\s+)?${DURATION}`,
    "i",
  ),
  new RegExp(String.raw`${OPEN}(?:set|change|make)\s+${NAME}['’]s\s+${TIMER}\s+(?:to\s+)?${DURATION}`, "i"),
  new RegExp(String.raw`${OPEN}give\s+${NAME}\s+(?:an?\s+)?${TIMER}\s+of\s+${DURATION}`, "i"),
];

const CLOSE = String.raw`(?:\s*,?\s*(?:please|pls|thanks|thank\s+you))?\s*[.!]*\s*$`;
const NEVER = String.raw`(?:never|don['’]?t|do\s+not|please\s+don['’]?t|please\s+never)\s+(?:ever\s+)?`;
/** "when idle", "if it's unused", "for idleness", "just because nobody uses it". */
const WHEN_IDLE = String.raw`(?:when|if|while|once|for|because|just\s+because|for\s+being)\s+(?:${IS}\s+|it\s+(?:gets|goes)\s+)?(?:idle|idling|idleness|inactive|inactivity|unused|not\s+(?:used|in\s+use)|(?:nobody|no\s+one)\s+(?:uses|is\s+using)\s+it)`;
const FOREVER = String.raw`(?:forever|always|all\s+the\s+time|24\s*/\s*7|permanently|indefinitely|for\s+good|non-?stop)`;

/**
 * Turning an existing workload's timeout off: "turn off the idle timeout for web", and the
 * everyday ways of saying it, "never stop web when idle", "don't stop dev when it's idle",
 * "keep web running forever". Each names idleness (or "forever") and takes the whole message,
 * so a plain "don't stop web" stays a decline and "never stop web when idle, stop dev" is read
 * clause by clause (a decline and a stop), never as something else.
 */
const OFF_FOR_EXISTING: readonly RegExp[] = [
  new RegExp(
    String.raw`${OPEN}(?:turn\s+off|disable|remove|switch\s+off)\s+(?:the\s+)?${TIMER}\s+(?:of|for|on)\s+${NAME}${CLOSE}`,
    "i",
  ),
  new RegExp(String.raw`${OPEN}(?:turn\s+off|disable|remove|switch\s+off)\s+${NAME}['’]s\s+${TIMER}${CLOSE}`, "i"),
  new RegExp(String.raw`${OPEN}${NEVER}${STOP_VERB}\s+${NAME}\s+${WHEN_IDLE}${CLOSE}`, "i"),
  new RegExp(String.raw`${OPEN}${NEVER}(?:auto[- ]?stop|idle[- ]?stop)\s+${NAME}${CLOSE}`, "i"),
  new RegExp(String.raw`${OPEN}(?:always\s+)?keep\s+${NAME}\s+(?:running|up|on|alive|going)\s+${FOREVER}${CLOSE}`, "i"),
];

/**
 * The idle timeout a whole message asks for on one named workload, or undefined. Only a
 * message that opens with the request counts, so "create web and stop it after 2 hours idle"
 * stays the create's (see `findIdlePhrase`).
 */
export function findIdleTimeoutRequest(raw: string): IdleTimeoutRequest | undefined {
  for (const pattern of OFF_FOR_EXISTING) {
    const match = pattern.exec(raw);
    if (match) return { name: match[1]!.toLowerCase(), timeout: "off" };
  }
  for (const pattern of FOR_EXISTING) {
    const match = pattern.exec(raw);
    if (!match) continue;
    const timeout = durationText(match[2]!, match[3]!);
    if (timeout !== undefined) return { name: match[1]!.toLowerCase(), timeout };
  }
  return undefined;
}

/**
 * Words that put a request in the future or under a condition: "in 10 minutes", "tonight",
 * "tomorrow", "at 6pm", "next week", "when it's idle", "later". voxnix runs nothing later, so
 * a lifecycle verb with one of these is answered, not done: stopping web now for "stop web
 * tonight" would do something the person did not ask for.
 */
const LATER = new RegExp(
  [
    String.raw`\bin\s+(?:\d+(?:\.\d+)?|a|an|one|two|three|five|ten|fifteen|twenty|thirty|half\s+an?|a\s+few|a\s+couple\s+of)\s*(?:secs?|seconds?|mins?|minutes?|m|h|hrs?|hours?|days?|weeks?)\b`,
    String.raw`\bin\s+a\s+(?:bit|while|moment|minute|sec|second)\b`,
    String.raw`\b(?:tonight|tomorrow|later|overnight|afterwards)\b`,
    String.raw`\bnext\s+(?:week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning)\b`,
    String.raw`\bon\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`,
    String.raw`\bat\s+(?:\d{1,2}(?::\d\d)?\s*(?:am|pm|h|o'?clock)?|noon|midnight)(?![.\d])\b`,
    String.raw`\bthis\s+(?:evening|afternoon|weekend|night)\b`,
    String.raw`\b(?:after|within)\s+(?:\d+(?:\.\d+)?|a|an|one|two|three|half\s+an?)\s*(?:mins?|minutes?|h|hrs?|hours?|days?)\b`,
    String.raw`\b(?:when|if|once)\s+(?:${IS}\s+|[a-z][a-z0-9-]*\s+(?:gets|goes)\s+)?(?:idle|unused|inactive|not\s+(?:used|in\s+use))\b`,
    String.raw`\b(?:when|if|once)\s+(?:nobody|no\s+one)\s+(?:uses|is\s+using)\b`,
    String.raw`\b(?:when|once|after)\s+i(?:['’]m|\s+am)?\s+(?:done|finished|back|gone|asleep)\b`,
  ].join("|"),
  "i",
);

/** True when `text` asks for something later or on a condition (see `LATER`). */
export function asksForLater(text: string): boolean {
  return LATER.test(text);
}
