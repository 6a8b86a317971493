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
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, "forty-five": 45, "forty five": 45, half: 0.5, "half an": 0.5, "half a": 0.5,
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
  new RegExp(String.raw`${LEAD}${STOP}\s+(?:after|once\s+${IS}|when\s+${IS}|when|if\s+${IS}|if)\s+(?:being\s+)?(?:idle|unused|inactive)\s+(?:for\s+)?${DURATION}`, "i"),
  new RegExp(String.raw`${LEAD}${STOP}\s+(?:if|when|once)\s+(?:nobody|no\s+one)\s+(?:uses|has\s+used|touches|has\s+touched)\s+it\s+(?:for\s+)?${DURATION}`, "i"),
  new RegExp(String.raw`${LEAD}${STOP}\s+after\s+${DURATION}\s+${IDLE_WORDS}`, "i"),
  new RegExp(String.raw`,?\s*(?:and\s+|with\s+)?(?:an?\s+)?idle[- ]?(?:timeout|timer|stop)\s+(?:of\s+|at\s+|to\s+)?${DURATION}`, "i"),
  new RegExp(String.raw`,?\s*(?:and\s+|with\s+)?(?:an?\s+)?${DURATION}\s+idle[- ]?(?:timeout|timer|stop)`, "i"),
];

/** "Never": "never stop it when idle", "don't stop it for idleness", "no idle timeout", "idle timeout off". */
const OFF_PHRASES: readonly RegExp[] = [
  new RegExp(String.raw`${LEAD}(?:never|don['’]?t|do\s+not)\s+(?:ever\s+)?${STOP}\s+(?:when|if|for|because|for\s+being|just\s+because)\s+(?:${IS}\s+)?(?:idle|idleness|inactive|inactivity|unused|nobody\s+uses\s+it)`, "i"),
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
