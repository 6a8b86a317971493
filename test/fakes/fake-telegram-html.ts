/**
 * Telegram's HTML parse mode, as the fake Bot API enforces it: the supported tags only
 * (attributes `href` on `a`, `class` on `span`, `code` and `blockquote`), properly nested and
 * closed; the named entities `&lt; &gt; &amp; &quot;` and numeric ones; anything else is the
 * same "can't parse entities" error Telegram answers. The visible text (after parsing) is what
 * Telegram's 4,096-character limit counts.
 *
 * @module
 */

/** Tags Telegram accepts in HTML parse mode. */
const SUPPORTED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** The outcome of parsing: the visible text, or Telegram's error description. */
export type FakeHtmlParse =
  { readonly ok: true; readonly visibleText: string } | { readonly ok: false; readonly description: string };

/** Parses `html` the way the Bot API does for `parse_mode: "HTML"`. */
export function parseTelegramHtml(html: string): FakeHtmlParse {
  const open: string[] = [];
  let visible = "";
  let index = 0;
  const fail = (reason: string): FakeHtmlParse => ({
    ok: false,
    description: `Bad Request: can't parse entities: ${reason} at byte offset ${Buffer.byteLength(html.slice(0, index))}`,
  });
  while (index < html.length) {
    const character = html[index]!;
    if (character === "<") {
      const end = html.indexOf(">", index);
      if (end < 0) return fail("Unclosed start tag");
      const inside = html.slice(index + 1, end);
      const closing = inside.startsWith("/");
      const name = /^\/?([a-z-]+)/i.exec(inside)?.[1]?.toLowerCase();
      if (!name || !SUPPORTED_TAGS.has(name)) return fail(`Unsupported start tag "${inside.split(/\s/)[0]}"`);
      if (closing) {
        const expected = open.pop();
        if (expected !== name) return fail(`Unmatched end tag, expected "</${expected ?? ""}>", found "</${name}>"`);
      } else {
        const attributes = inside.slice(name.length).trim();
        if (attributes && !/^([a-z-]+="[^"<>]*"\s*)+$/i.test(attributes))
          return fail(`Bad attributes in tag "${name}"`);
        open.push(name);
      }
      index = end + 1;
      continue;
    }
    if (character === "&") {
      const match = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(html.slice(index, index + 12));
      if (!match) return fail("Character '&' is reserved and must be escaped as &amp;");
      const body = match[1]!;
      let decoded: string | undefined;
      if (body.startsWith("#x") || body.startsWith("#X"))
        decoded = String.fromCodePoint(Number.parseInt(body.slice(2), 16));
      else if (body.startsWith("#")) decoded = String.fromCodePoint(Number.parseInt(body.slice(1), 10));
      else decoded = NAMED_ENTITIES[body.toLowerCase()];
      if (decoded === undefined) return fail(`Unsupported HTML entity "&${body};"`);
      visible += decoded;
      index += match[0].length;
      continue;
    }
    if (character === ">") return fail("Character '>' is reserved and must be escaped as &gt;");
    visible += character;
    index += 1;
  }
  if (open.length > 0) return fail(`Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  return { ok: true, visibleText: visible };
}

/** Telegram's checks on a message text: not empty, parseable, at most 4,096 characters after parsing. */
export function checkMessageText(
  text: unknown,
  parseMode: unknown,
): { readonly ok: true; readonly visibleText: string } | { readonly ok: false; readonly description: string } {
  if (typeof text !== "string" || text.trim() === "")
    return { ok: false, description: "Bad Request: message text is empty" };
  const parsed = parseMode === "HTML" ? parseTelegramHtml(text) : ({ ok: true, visibleText: text } as const);
  if (!parsed.ok) return parsed;
  if (parsed.visibleText.trim() === "") return { ok: false, description: "Bad Request: message text is empty" };
  if (parsed.visibleText.length > 4096) return { ok: false, description: "Bad Request: message is too long" };
  return parsed;
}

/** Telegram's check on inline keyboards: every `callback_data` is 1–64 bytes. */
export function checkReplyMarkup(markup: unknown): string | undefined {
  const rows = (markup as { inline_keyboard?: { callback_data?: unknown }[][] } | undefined)?.inline_keyboard;
  for (const button of (rows ?? []).flat()) {
    if (button.callback_data === undefined) continue;
    const bytes = typeof button.callback_data === "string" ? Buffer.byteLength(button.callback_data) : 0;
    if (bytes < 1 || bytes > 64) return "Bad Request: BUTTON_DATA_INVALID";
  }
  return undefined;
}
