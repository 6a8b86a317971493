/**
 * "Open the dashboard": the phrases that ask for a dashboard login link (Telegram answers them
 * like `/web`). Only a plain request counts; a question about something else that merely
 * mentions the web ("is web running?" names a workload called web) does not.
 *
 * @module
 */

const ASK = String.raw`(?:open|show|give(?: me)?|send(?: me)?|get(?: me)?|i (?:want|need)|can i (?:have|get)|take me to|go to|link(?: to)?|log ?in(?: to)?|sign ?in(?: to)?)`;
const DASHBOARD = String.raw`(?:the |my |a |your )?(?:web )?(?:dashboard|web ?ui|web interface|web page|control panel|dashboard link|web link|login link)`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(
    String.raw`^(?:please |pls |hey |hi )?${ASK}\s+(?:(?:me|to)\s+)?${DASHBOARD}(?: link)?(?: please| pls)?[.!?]*$`,
  ),
  new RegExp(String.raw`^${DASHBOARD}(?: please| pls)?[.!?]*$`),
];

/** True when `text` asks for the dashboard ("open the dashboard", "dashboard link please"). */
export function isDashboardRequest(text: string): boolean {
  const normalised = text.toLowerCase().replace(/\s+/g, " ").trim();
  if (normalised.length > 80) return false;
  return PATTERNS.some((pattern) => pattern.test(normalised));
}
