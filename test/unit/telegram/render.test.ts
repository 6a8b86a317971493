import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  escapeAttribute,
  escapeHtml,
  link,
  splitHtml,
  splitText,
  TELEGRAM_MESSAGE_LIMIT,
  visibleLength,
} from "../../../src/adapters/telegram/render.js";

/** True when every tag opened in `html` is closed in order and no tag or entity is cut. */
function wellFormed(html: string): boolean {
  if (/<[^>]*$/.test(html) || /&[#a-zA-Z0-9]*$/.test(html)) return false;
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (match[1] === "/") {
      if (stack.pop() !== match[2]) return false;
    } else stack.push(match[2]!);
  }
  return stack.length === 0;
}

describe("escapeHtml", () => {
  it("escapes &, < and > and nothing else", () => {
    assert.equal(escapeHtml(`a<b>&c "d" 'e'`), `a&lt;b&gt;&amp;c "d" 'e'`);
  });
  it("escapes ampersands first so entities are not double-decoded", () => {
    assert.equal(escapeHtml("&lt;"), "&amp;lt;");
  });
  it("attribute escaping also covers quotes", () => {
    assert.equal(escapeAttribute(`x"y'z<&>`), "x&quot;y&#39;z&lt;&amp;&gt;");
    assert.equal(
      link(`https://e.x/?a=1&b="2"`, "<go>"),
      `<a href="https://e.x/?a=1&amp;b=&quot;2&quot;">&lt;go&gt;</a>`,
    );
  });
});

describe("splitHtml", () => {
  it("keeps a short message whole", () => {
    assert.deepEqual(splitHtml("<b>hi</b>\nthere"), ["<b>hi</b>\nthere"]);
  });

  it("never returns empty chunks", () => {
    assert.deepEqual(splitHtml(""), []);
    assert.deepEqual(splitHtml("  \n \n"), []);
    assert.deepEqual(splitHtml("<b></b>"), []);
  });

  it("splits at line boundaries under the limit", () => {
    const lines = Array.from({ length: 500 }, (_, index) => `line ${index} ${"x".repeat(20)}`);
    const chunks = splitHtml(lines.join("\n"));
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) assert.ok(visibleLength(chunk) <= TELEGRAM_MESSAGE_LIMIT, `chunk of ${chunk.length}`);
    // No line was cut: re-joining gives back every line intact.
    const rejoined = chunks.map((chunk) => chunk.replace(/\n$/, "")).join("\n");
    assert.deepEqual(rejoined.split("\n"), lines);
  });

  it("hard-splits a single over-long line without cutting an entity", () => {
    const line = "&amp;".repeat(30) + "y".repeat(7);
    const chunks = splitHtml(line, 16);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(visibleLength(chunk) <= 16);
      assert.ok(wellFormed(chunk), chunk);
    }
    assert.equal(chunks.join(""), line);
  });

  it("closes and reopens tags around a cut", () => {
    const html = `<pre>${"a\n".repeat(30)}</pre>`;
    const chunks = splitHtml(html, 25);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(visibleLength(chunk) <= 25, chunk);
      assert.ok(wellFormed(chunk), chunk);
      assert.ok(chunk.startsWith("<pre>"), chunk);
    }
    assert.equal(chunks.map((chunk) => chunk.replace(/^<pre>|<\/pre>$/g, "")).join(""), "a\n".repeat(30));
  });

  it("does not cut inside a tag on a long line", () => {
    const line = `<a href="https://example.org/${"p".repeat(10)}">x</a>`.repeat(5);
    for (const chunk of splitHtml(line, 60)) assert.ok(wellFormed(chunk), chunk);
  });

  it("keeps emoji surrogate pairs whole", () => {
    const chunks = splitHtml("🟢".repeat(10), 5);
    for (const chunk of chunks) assert.ok(!/[\uD800-\uDBFF]$/.test(chunk), "split inside a surrogate pair");
    assert.equal(chunks.join(""), "🟢".repeat(10));
  });
});

describe("splitText", () => {
  it("escapes before splitting so no chunk holds raw markup", () => {
    const text = Array.from({ length: 400 }, () => "<script>&</script>").join("\n");
    const chunks = splitText(text);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(!chunk.includes("<script>"));
      assert.ok(wellFormed(chunk));
      assert.ok(visibleLength(chunk) <= TELEGRAM_MESSAGE_LIMIT);
    }
  });

  it("counts what Telegram counts: a reply full of <, > and & takes the messages its visible text needs", () => {
    // 400 lines of 18 visible characters and a newline: 7,600 visible, about 15,600 as HTML.
    const text = Array.from({ length: 400 }, () => "<script>&</script>").join("\n");
    const chunks = splitText(text);
    assert.equal(chunks.length, 2);
    for (const chunk of chunks) assert.ok(visibleLength(chunk) <= TELEGRAM_MESSAGE_LIMIT);
    assert.equal(visibleLength("<b>a&lt;b</b>&#128994;"), 5);
  });
});
