/**
 * Rendering for Telegram's HTML parse mode: escaping, a few tags, and splitting long replies
 * into messages under Telegram's 4,096-character limit without ever cutting through a tag or
 * an entity. Everything the pipeline or core says is plain text and is escaped here, so a
 * workload name or log line containing `<`, `>` or `&` can never break the markup.
 *
 * @module
 */

/** Telegram's maximum message length, counted in UTF-16 code units of the text after parsing (tags removed, entities decoded). */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '"': "&quot;", "'": "&#39;" };

/** Escapes plain text for HTML message bodies (`&`, `<`, `>`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (character) => TEXT_ESCAPES[character] ?? character);
}

/** Escapes a value placed inside a double-quoted HTML attribute (adds quotes to `escapeHtml`). */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ATTRIBUTE_ESCAPES[character] ?? character);
}

/** `<b>…</b>` around escaped text. */
export function bold(text: string): string {
  return `<b>${escapeHtml(text)}</b>`;
}

/** `<code>…</code>` around escaped text. */
export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

/** `<pre>…</pre>` around escaped text (logs, command output). */
export function pre(text: string): string {
  return `<pre>${escapeHtml(text)}</pre>`;
}

/** A link with an escaped, quoted `href`. */
export function link(href: string, text: string): string {
  return `<a href="${escapeAttribute(href)}">${escapeHtml(text)}</a>`;
}

/**
 * Splits already-rendered HTML into chunks of at most `limit` visible characters — what
 * Telegram counts: the text after parsing, without tags, with `&lt;` as one character — so
 * replies full of `<`, `>` and `&` do not take three times the messages they need.
 *
 * Lines are the unit: a chunk ends at a line boundary. A single line longer than the limit is
 * cut hard, but never inside a tag (`<…>`) or an entity (`&…;`). Tags left open at a cut
 * (`<pre>`, `<b>`, …) are closed at the end of the chunk and reopened at the start of the next,
 * so every chunk is valid HTML on its own. Empty chunks are never returned; an empty or
 * whitespace-only input gives no chunks at all.
 */
export function splitHtml(html: string, limit: number = TELEGRAM_MESSAGE_LIMIT): string[] {
  const chunks: string[] = [];
  let current = "";
  let visible = 0;
  let open: string[] = [];

  const closing = (tags: readonly string[]) =>
    [...tags]
      .reverse()
      .map((tag) => `</${tagName(tag)}>`)
      .join("");
  const flush = () => {
    const body = current + closing(open);
    if (body.replace(/<[^>]*>/g, "").trim() !== "") chunks.push(body);
    current = open.join("");
    visible = 0;
  };
  const add = (piece: string, size: number) => {
    current += piece;
    visible += size;
    open = openAfter(open, piece);
  };
  const started = () => current !== open.join("");

  const lines = html.split("\n");
  lines.forEach((line, index) => {
    const piece = index < lines.length - 1 ? `${line}\n` : line;
    const size = visibleLength(piece);
    if (size <= limit - visible) return add(piece, size);
    if (started()) flush();
    if (size <= limit - visible) return add(piece, size);
    // A single line too long for a message: cut it into tokens (tags, entities, characters).
    for (const token of tokenize(piece)) {
      const tokenSize = visibleLength(token);
      if (tokenSize > limit - visible && started()) flush();
      add(token, tokenSize);
    }
  });
  flush();
  return chunks;
}

/** The length Telegram counts for `html`: tags removed, entities decoded (UTF-16 code units). */
export function visibleLength(html: string): number {
  let length = 0;
  for (const token of tokenize(html)) {
    if (token.length > 1 && token.startsWith("<")) continue;
    if (token.length > 1 && token.startsWith("&")) length += decodedEntityLength(token);
    else length += token.length;
  }
  return length;
}

function decodedEntityLength(entity: string): number {
  const numeric = /^&#(x?)([0-9a-f]+);$/i.exec(entity);
  if (!numeric) return 1;
  const codePoint = Number.parseInt(numeric[2]!, numeric[1] ? 16 : 10);
  return codePoint > 0xffff ? 2 : 1;
}

/** Splits plain text: escapes it, then splits the HTML. */
export function splitText(text: string, limit: number = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitHtml(escapeHtml(text), limit);
}

function tagName(openingTag: string): string {
  return /^<\s*([a-zA-Z0-9-]+)/.exec(openingTag)?.[1] ?? "";
}

/** The stack of open tags after appending `fragment`. */
function openAfter(open: readonly string[], fragment: string): string[] {
  const stack = [...open];
  for (const match of fragment.matchAll(/<(\/?)([a-zA-Z0-9-]+)[^>]*>/g)) {
    if (match[1] === "/") {
      const at = stack.map(tagName).lastIndexOf(match[2] ?? "");
      if (at >= 0) stack.splice(at, 1);
    } else {
      stack.push(match[0]);
    }
  }
  return stack;
}

/** Tags, entities and single characters (surrogate pairs kept whole). */
function tokenize(fragment: string): string[] {
  return fragment.match(/<[^>]*>|&[#a-zA-Z0-9]+;|[\s\S]/gu) ?? [];
}
